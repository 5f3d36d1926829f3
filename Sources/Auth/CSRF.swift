import Codecs
import HTTP
import OpenSSL

/// Django-compatible double-submit CSRF protection: the `csrftoken` cookie must be echoed in the
/// `X-CSRFToken` header (scripts) or the `csrfmiddlewaretoken` field (forms).
public enum CSRF {
    public static let cookieName = "csrftoken"
    public static let formField = "csrfmiddlewaretoken"
    /// A year, as Django's CSRF_COOKIE_AGE.
    public static let cookieAge = 31_449_600

    public static func newToken() -> String {
        RandomText.alphanumeric(count: 64)
    }

    /// The request's token when it is well formed, else a new one.
    public static func token(for request: Request) -> String {
        if let existing = request.cookies[cookieName], isWellFormed(existing) { return existing }
        return newToken()
    }

    public static func cookie(_ token: String, secure: Bool) -> SetCookie {
        SetCookie(name: cookieName, value: token, maxAge: cookieAge, secure: secure)
    }

    /// Whether the request proves it came from one of our pages: the submitted token equals the
    /// cookie, compared in constant time.
    public static func isValid(_ request: Request) -> Bool {
        guard let cookie = request.cookies[cookieName], isWellFormed(cookie) else { return false }
        let submitted = request.csrfHeader ?? (request.mediaType == "application/x-www-form-urlencoded" ? request.form[formField] : nil)
        guard let submitted else { return false }
        return ConstantTime.equals(Array(cookie.utf8), Array(submitted.utf8))
    }

    /// Django accepts 32- or 64-character alphanumeric tokens.
    public static func isWellFormed(_ token: String) -> Bool {
        (token.utf8.count == 32 || token.utf8.count == 64) && token.utf8.allSatisfy(ASCII.isAlphanumeric)
    }
}
