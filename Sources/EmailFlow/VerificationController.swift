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

    /// A finished failure page, carried through `Result`.
    private struct FailurePage: Error {
        let response: Response
    }

    public init(database: Database, templates: Templates, settings: EmailFlowSettings) {
        self.database = database
        self.templates = templates
        self.settings = settings
    }

    public func verify(_ request: Request) throws -> Response {
        let claims: VerificationToken.Claims
        switch check(request) {
        case .failure(let page): return page.response
        case .success(let checked): claims = checked
        }
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
        switch check(request) {
        case .failure(let page): page.response
        case .success: .html("")
        }
    }

    private func check(_ request: Request) -> Result<VerificationToken.Claims, FailurePage> {
        guard let token = request.query("token"), !token.isEmpty else {
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
