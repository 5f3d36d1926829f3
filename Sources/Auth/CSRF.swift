import Codecs
import HTTP
import OpenSSL
import Settings

/// Django 4.2's CSRF protection, so pages of either side can call the other: the cookie holds
/// a 32-character secret; forms carry it masked (64 characters, a fresh mask each time);
/// scripts send either form in `X-CSRFToken`. An unsafe request is accepted when its token
/// unmasks to the cookie's secret (compared in constant time) and, as Django checks, its
/// `Origin` is this site's or a trusted one (on HTTPS without `Origin`, its `Referer` is).
public struct CSRF: Sendable {
    public static let formField = "csrfmiddlewaretoken"
    /// A year, as Django's CSRF_COOKIE_AGE.
    public static let cookieAge = 31_449_600
    static let secretLength = 32
    static let tokenLength = 64

    public let cookieName: String
    private let cookieSecure: Bool
    private let exactOrigins: Set<String>
    /// Scheme → domain patterns (`.meiduo.site`) from the wildcard trusted origins.
    private let originDomains: [String: [String]]
    private let refererHosts: [String]

    public init(_ settings: SessionSettings) {
        cookieName = settings.csrfCookieName
        cookieSecure = settings.csrfCookieSecure
        exactOrigins = Set(settings.trustedOrigins.filter { !$0.contains("*") })
        var domains: [String: [String]] = [:]
        for origin in settings.trustedOrigins where origin.contains("*") {
            let (scheme, netloc) = Self.split(origin)
            domains[scheme, default: []].append(String(netloc.drop(while: { $0 == "*" })))
        }
        originDomains = domains
        refererHosts = settings.trustedOrigins.map { String(Self.split($0).netloc.drop(while: { $0 == "*" })) }
    }

    // MARK: Issuing

    /// The request's secret when its cookie holds a well-formed one, else a new secret.
    public func secret(for request: Request) -> String {
        request.cookies[cookieName].flatMap(Self.secret(fromCookie:)) ?? Self.newSecret()
    }

    public static func newSecret() -> String {
        RandomText.alphanumeric(count: secretLength)
    }

    public func cookie(_ secret: String) -> SetCookie {
        SetCookie(name: cookieName, value: secret, maxAge: Self.cookieAge, secure: cookieSecure)
    }

    /// The token a page puts in its form: the secret under a fresh random mask.
    public static func mask(_ secret: String) -> String {
        let mask = Array(RandomText.alphanumeric(count: secretLength).utf8)
        let secretBytes = Array(secret.utf8)
        var cipher: [UInt8] = []
        for (index, byte) in secretBytes.enumerated() {
            guard let s = RandomText.position(byte), let m = RandomText.position(mask[index]) else { return secret }
            cipher.append(RandomText.alphabet[(s + m) % RandomText.alphabet.count])
        }
        return String(decoding: mask + cipher, as: UTF8.self)
    }

    /// The secret a 64-character token carries.
    public static func unmask(_ token: String) -> String {
        let bytes = Array(token.utf8)
        let mask = bytes[0..<secretLength], cipher = bytes[secretLength...]
        var secret: [UInt8] = []
        let count = RandomText.alphabet.count
        for (c, m) in zip(cipher, mask) {
            guard let x = RandomText.position(c), let y = RandomText.position(m) else { return "" }
            secret.append(RandomText.alphabet[(x - y + count) % count])
        }
        return String(decoding: secret, as: UTF8.self)
    }

    // MARK: Checking

    /// Whether an unsafe request may proceed: where it came from, then its token. A token in a
    /// form body that was refused for its size is the 413 error.
    public func accepts(_ request: Request) throws(HTTPError) -> Bool {
        if let origin = request.origin {
            guard originVerified(origin, request) else { return false }
        } else if request.isSecure {
            guard refererVerified(request) else { return false }
        }
        guard let secret = request.cookies[cookieName].flatMap(Self.secret(fromCookie:)) else { return false }
        var submitted =
            request.method == .post && request.mediaType == "application/x-www-form-urlencoded"
            ? try request.form()[Self.formField] ?? "" : ""
        if submitted.isEmpty { submitted = request.csrfHeader ?? "" }
        guard Self.isWellFormed(submitted) else { return false }
        let candidate = submitted.utf8.count == Self.tokenLength ? Self.unmask(submitted) : submitted
        return ConstantTime.equals(Array(candidate.utf8), Array(secret.utf8))
    }

    /// Whether the browser says a request came from another site: `Sec-Fetch-Site: cross-site`,
    /// or an `Origin` or `Referer` that is neither this site's nor a trusted one. A request
    /// that says nothing (typed, bookmarked, an old browser) is not.
    public func isCrossSite(_ request: Request) -> Bool {
        if request.fetchSite == "cross-site" { return true }
        if let origin = request.origin, !originVerified(origin, request) { return true }
        if let referer = request.referer {
            let (scheme, netloc) = Self.split(referer)
            if scheme.isEmpty || !isOwnOrTrusted(netloc, request) { return true }
        }
        return false
    }

    /// `_check_token_format`: 32 or 64 characters of `[a-zA-Z0-9]`.
    public static func isWellFormed(_ token: String) -> Bool {
        (token.utf8.count == secretLength || token.utf8.count == tokenLength) && token.utf8.allSatisfy(ASCII.isAlphanumeric)
    }

    /// A cookie's secret: as it is, or unmasked when an older Django stored it masked.
    static func secret(fromCookie value: String) -> String? {
        guard isWellFormed(value) else { return nil }
        return value.utf8.count == tokenLength ? unmask(value) : value
    }

    /// `_origin_verified`: the request's own origin, an exact trusted one, or a subdomain of a
    /// wildcard trusted one with the same scheme.
    private func originVerified(_ origin: String, _ request: Request) -> Bool {
        if let host = request.host, origin == (request.isSecure ? "https://" : "http://") + host { return true }
        if exactOrigins.contains(origin) { return true }
        let (scheme, netloc) = Self.split(origin)
        return originDomains[scheme, default: []].contains { Self.isSameDomain(netloc, $0) }
    }

    /// `_check_referer`, on HTTPS requests without `Origin`: an https `Referer` from this host or
    /// a trusted origin's.
    private func refererVerified(_ request: Request) -> Bool {
        guard let referer = request.referer else { return false }
        let (scheme, netloc) = Self.split(referer)
        guard scheme == "https", !netloc.isEmpty else { return false }
        return isOwnOrTrusted(netloc, request)
    }

    /// A referring host that is this site's or a trusted origin's.
    private func isOwnOrTrusted(_ netloc: String, _ request: Request) -> Bool {
        refererHosts.contains { Self.isSameDomain(netloc, $0) } || request.host.map { Self.isSameDomain(netloc, $0) } == true
    }

    /// Django's `is_same_domain`: the pattern itself, or, for `.example.com`, it and its subdomains.
    static func isSameDomain(_ host: String, _ pattern: String) -> Bool {
        let pattern = pattern.lowercased()
        guard let first = pattern.first else { return false }
        return first == "." ? host.hasSuffix(pattern) || host == pattern.dropFirst() : host == pattern
    }

    /// Scheme and network location of a URL (`https://a.b:8443/x` → `https`, `a.b:8443`).
    static func split(_ url: String) -> (scheme: String, netloc: String) {
        guard let separator = url.range(of: "://") else { return ("", "") }
        let rest = url[separator.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        return (url[..<separator.lowerBound].lowercased(), String(rest[..<end]))
    }
}
