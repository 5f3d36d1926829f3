import Auth
import HTTP
import Store
import Views

/// `GET /emails/verification/?token=…`: the link in the mail. Success sends the browser to the
/// user center; every failure is a page. `HEAD` (what link scanners send) checks the token but
/// never changes anything.
public final class VerificationController {
    private let database: Database
    private let templates: Templates
    private let settings: EmailFlowSettings
    private let csrfCookieSecure: Bool

    /// A finished failure page, carried through `Result`.
    private struct FailurePage: Error {
        let response: Response
    }

    public init(database: Database, templates: Templates, settings: EmailFlowSettings, csrfCookieSecure: Bool) {
        self.database = database
        self.templates = templates
        self.settings = settings
        self.csrfCookieSecure = csrfCookieSecure
    }

    /// The link itself: verifies at once, or, with VERIFY_EMAIL_CONFIRM_PAGE, shows the page
    /// whose button does (`confirm`).
    public func verify(_ request: Request) throws -> Response {
        let claims: VerificationToken.Claims
        switch check(token: request.query("token")) {
        case .failure(let page): return page.response
        case .success(let checked): claims = checked
        }
        if settings.confirmPage {
            let token = CSRF.token(for: request)
            var page = templates.page("verify_confirm", [
                "email": claims.email, "token": request.query("token")!, "csrf_token": token,
            ])
            page.cookies = [CSRF.cookie(token, secure: csrfCookieSecure)]
            return page
        }
        return try activate(claims)
    }

    /// `POST /emails/verification/` from the confirm page's button.
    public func confirm(_ request: Request) throws -> Response {
        _ = try request.checkedBody()
        guard CSRF.isValid(request) else { throw HTTPError.csrfFailed }
        switch check(token: request.form["token"]) {
        case .failure(let page): return page.response
        case .success(let claims): return try activate(claims)
        }
    }

    private func activate(_ claims: VerificationToken.Claims) throws -> Response {
        do {
            let activated = try database.run {
                try Users.activateEmail(userID: claims.userID, email: claims.email, on: $0)
            }
            // No user with that id has that address any more: deleted, or the address changed
            // since the mail went out.
            guard activated else { return failure(.forbidden, "无效的token").response }
        } catch let error as DatabaseError {
            throw HTTPError(.internalServerError, code: .database, "激活邮件失败").causedBy(error)
        }
        return .redirect(to: "/info/")
    }

    public func head(_ request: Request) -> Response {
        switch check(token: request.query("token")) {
        case .failure(let page): page.response
        case .success: .html("")
        }
    }

    private func check(token: String?) -> Result<VerificationToken.Claims, FailurePage> {
        guard let token, !token.isEmpty else {
            return .failure(failure(.badRequest, "缺少token"))
        }
        switch VerificationToken.verify(token, secret: settings.secretKey, now: Clock.seconds()) {
        case .success(let claims):
            return .success(claims)
        case .failure(.expired):
            return .failure(failure(.forbidden, "验证链接已过期", hint: "请登录用户中心，重新保存邮箱地址，我们会再发一封验证邮件。"))
        case .failure(.invalid):
            return .failure(failure(.forbidden, "无效的token"))
        }
    }

    private func failure(_ status: Status, _ message: String, hint: String? = nil) -> FailurePage {
        var context: [String: Any] = ["status": status.code, "message": message]
        if let hint { context["hint"] = hint }
        return FailurePage(response: templates.page("error", context, status: status))
    }
}
