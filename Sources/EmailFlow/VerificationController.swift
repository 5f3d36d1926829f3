import Auth
import EmailCore
import HTTP
import Instruments
import Processes
import Settings
import Store
import Views

/// `GET /emails/verification/?token=…`: the link in the mail. Success sends the browser to the
/// user center; every failure is an `HTTPError` the error renderer shows as a page. `HEAD`
/// (what link scanners send) checks the token but never changes anything. An expired link's
/// page offers a fresh one to the user it was for, if they are logged in (`resend`).
public final class VerificationController {
    private let database: Database
    private let templates: Templates
    private let settings: Settings
    private let gate: SessionGate
    private let binder: AddressBinder
    private let csrf: CSRF

    /// What a database failure on this route answers.
    public static let activationFailed = HTTPError(.internalServerError, code: .database, "激活邮件失败")
    public static let resendPath = "/emails/verification/resend/"

    public init(database: Database, gate: SessionGate, templates: Templates, settings: Settings, queue: MailQueue, instruments: ResponderInstruments)
    {
        self.database = database
        self.templates = templates
        self.settings = settings
        self.gate = gate
        binder = AddressBinder(queue: queue, templates: templates, settings: settings, instruments: instruments)
        csrf = CSRF(settings.sessions)
    }

    /// The link itself: verifies at once, or, with VERIFY_EMAIL_CONFIRM_PAGE, shows the page
    /// whose button does (`confirm`).
    public func verify(_ request: Request) throws -> Response {
        let claims = try check(token: request.query("token"), request: request)
        guard settings.verification.confirmPage else { return try activate(claims) }
        let secret = csrf.secret(for: request)
        var page = try templates.page(
            VerifyConfirmPage(email: claims.email, token: request.query("token") ?? "", csrfToken: CSRF.mask(secret)))
        page.cookies = [csrf.cookie(secret)]
        return page
    }

    /// `POST /emails/verification/` from the confirm page's button.
    public func confirm(_ request: Request) throws -> Response {
        guard try csrf.accepts(request) else { throw HTTPError.csrfFailed() }
        return try activate(try check(token: try request.form()["token"], request: request))
    }

    public func head(_ request: Request) throws -> Response {
        _ = try check(token: request.query("token"), request: request)
        return .html("")
    }

    /// `POST /emails/verification/resend/` from an expired link's page: a new mail to the same
    /// address, for the user the link was for, under the same throttle as `PUT /emails/`.
    public func resend(_ request: Request) throws -> Response {
        guard try csrf.accepts(request) else { throw HTTPError.csrfFailed() }
        guard let token = try request.form()["token"], !token.isEmpty else {
            throw HTTPError(.badRequest, code: .necessaryParameter, "缺少token")
        }
        let claims: VerificationToken.Claims
        switch VerificationToken.verify(token, secret: settings.secretKey, now: Clock.unixSeconds()) {
        case .success(let valid): claims = valid
        case .failure(.expired(let expired)): claims = expired
        case .failure(.invalid): throw Self.invalid()
        }
        guard let user = try gate.user(for: request), user.id == claims.userID else { throw Self.logInFirst() }
        let pending = settings.mail.reconfirmable ? try database.run { try PendingEmails.find(userID: user.id, on: $0) } : nil
        guard claims.email == user.email || claims.email == pending else {
            throw HTTPError(
                .forbidden, code: .parameter, "该邮箱已不是您账号的邮箱", hint: "请到用户中心查看或更换邮箱。",
                action: .link("/info/", label: "前往用户中心"))
        }
        // The address was asked for already (the password rule met then): no rule again.
        let bound = try binder.bind(user, email: claims.email, requestID: request.requestID, session: nil)
        return try templates.page(ResentPage(email: claims.email, alreadyVerified: bound.isUnchanged))
    }

    private func activate(_ claims: VerificationToken.Claims) throws -> Response {
        // The common case in one autocommit statement; the swap of a pending address needs two.
        let activated =
            try database.run { try Users.activateEmail(userID: claims.userID, email: claims.email, on: $0) }
            || database.transaction { try Users.activatePendingEmail(userID: claims.userID, email: claims.email, in: $0) }
        // No user with that id has that address any more: deleted, or changed since the mail went out.
        guard activated else { throw Self.invalid() }
        return .redirect(to: "/info/")
    }

    private func check(token: String?, request: Request) throws -> VerificationToken.Claims {
        guard let token, !token.isEmpty else { throw HTTPError(.badRequest, code: .necessaryParameter, "缺少token") }
        switch VerificationToken.verify(token, secret: settings.secretKey, now: Clock.unixSeconds()) {
        case .success(let claims):
            return claims
        case .failure(.expired(let claims)):
            throw try expired(token: token, claims: claims, request: request)
        case .failure(.invalid):
            throw Self.invalid()
        }
    }

    /// The expired link's page: a button that sends a new link when the browser is logged in
    /// as the user the link was for; otherwise a way to log in.
    private func expired(token: String, claims: VerificationToken.Claims, request: Request) throws -> HTTPError {
        guard request.method != .head, let user = try gate.user(for: request), user.id == claims.userID else {
            return HTTPError(
                .forbidden, code: .parameter, "验证链接已过期",
                hint: "请登录用户中心，重新保存邮箱地址，我们会再发一封验证邮件。",
                action: .link("/login/?next=/info/", label: "登录"))
        }
        let secret = csrf.secret(for: request)
        var error = HTTPError(
            .forbidden, code: .parameter, "验证链接已过期", hint: "您可以重新发送一封验证邮件到 \(claims.email)。",
            action: .post(
                Self.resendPath, label: "重新发送验证邮件",
                fields: [("token", token), (CSRF.formField, CSRF.mask(secret))]))
        error.cookies = [csrf.cookie(secret)]
        return error
    }

    private static func logInFirst(fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(
            .forbidden, code: .noSession, "请先登录", hint: "请登录后在用户中心重新发送验证邮件。",
            action: .link("/login/?next=/info/", label: "登录"), fileID: fileID, line: line)
    }

    private static func invalid(fileID: String = #fileID, line: Int = #line) -> HTTPError {
        HTTPError(.forbidden, code: .parameter, "无效的token", fileID: fileID, line: line)
    }
}
