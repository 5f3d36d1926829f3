import Auth
import EmailCore
import HTTP
import Processes
import Settings
import Store
import Views

/// `GET /emails/verification/?token=…`: the link in the mail. Success sends the browser to the
/// user center; every failure is an `HTTPError` the error renderer shows as a page. `HEAD`
/// (what link scanners send) checks the token but never changes anything.
public final class VerificationController {
    private let database: Database
    private let templates: Templates
    private let settings: Settings
    private let csrf: CSRF

    /// What a database failure on this route answers.
    public static let activationFailed = HTTPError(.internalServerError, code: .database, "激活邮件失败")

    public init(database: Database, templates: Templates, settings: Settings) {
        self.database = database
        self.templates = templates
        self.settings = settings
        csrf = CSRF(settings.sessions)
    }

    /// The link itself: verifies at once, or, with VERIFY_EMAIL_CONFIRM_PAGE, shows the page
    /// whose button does (`confirm`).
    public func verify(_ request: Request) throws -> Response {
        let claims = try check(token: request.query("token"))
        guard settings.verification.confirmPage else { return try activate(claims) }
        let secret = csrf.secret(for: request)
        var page = templates.page("verify_confirm", [
            "email": claims.email, "token": request.query("token") ?? "", "csrf_token": CSRF.mask(secret),
        ])
        page.cookies = [csrf.cookie(secret)]
        return page
    }

    /// `POST /emails/verification/` from the confirm page's button.
    public func confirm(_ request: Request) throws -> Response {
        _ = try request.checkedBody()
        guard csrf.accepts(request) else { throw HTTPError.csrfFailed() }
        return try activate(try check(token: request.form["token"]))
    }

    public func head(_ request: Request) throws -> Response {
        _ = try check(token: request.query("token"))
        return .html("")
    }

    private func activate(_ claims: VerificationToken.Claims) throws -> Response {
        let activated = try database.transaction { try Users.activateEmail(userID: claims.userID, email: claims.email, on: $0) }
        // No user with that id has that address any more: deleted, or changed since the mail went out.
        guard activated else { throw Self.invalid() }
        return .redirect(to: "/info/")
    }

    private func check(token: String?) throws -> VerificationToken.Claims {
        guard let token, !token.isEmpty else { throw HTTPError(.badRequest, code: .necessaryParameter, "缺少token") }
        switch VerificationToken.verify(token, secret: settings.secretKey, now: Clock.unixSeconds()) {
        case .success(let claims):
            return claims
        case .failure(.expired):
            throw HTTPError(.forbidden, code: .parameter, "验证链接已过期", hint: "请登录用户中心，重新保存邮箱地址，我们会再发一封验证邮件。")
        case .failure(.invalid):
            throw Self.invalid()
        }
    }

    private static func invalid(fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(.forbidden, code: .parameter, "无效的token", fileID: fileID, line: line)
    }
}
