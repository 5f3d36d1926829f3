import Auth
import EmailCore
import HTTP
import Processes
import Settings
import Store
import Views

/// `PUT /emails/`: store the address (unverified) and queue its verification mail, in one
/// transaction. Checks run in the contract's order: session, CSRF, body, pattern, throttle.
/// A database failure anywhere is the route's `saveFailed` answer (see the routing table).
public final class EmailController {
    private let database: Database
    private let gate: SessionGate
    private let templates: Templates
    private let settings: Settings
    private let mailQueued: () -> Void
    private let csrf: CSRF

    static let saved = "添加邮箱成功"

    /// What a database failure on this route answers: 200 with code 5000, as the tutorial.
    public static let saveFailed = HTTPError(.ok, code: .database, "添加邮箱失败")

    /// `mailQueued` runs after each commit, to wake the mail senders.
    public init(database: Database, gate: SessionGate, templates: Templates, settings: Settings, mailQueued: @escaping () -> Void) {
        self.database = database
        self.gate = gate
        self.templates = templates
        self.settings = settings
        self.mailQueued = mailQueued
        csrf = CSRF(settings.sessions)
    }

    public func bind(_ request: Request) throws -> Response {
        let user = try gate.requireUser(for: request)
        guard csrf.accepts(request) else { throw HTTPError.csrfFailed() }
        let email = try Self.email(in: request.checkedBody())
        guard EmailPattern.matches(email) else { throw HTTPError(.forbidden, code: .email, "参数email有误") }

        let now = Clock.unixSeconds()
        let mail = try VerificationMail(userID: user.id, email: email, now: now, settings: settings, templates: templates)
        var notice: (recipient: String, messageID: String, message: [UInt8])?
        if settings.mail.changeNotice, user.emailActive, user.email != email {
            let old = try NoticeMail(to: user.email, newAddress: email, username: user.username, now: now, settings: settings, templates: templates)
            notice = (user.email, old.messageID, old.message)
        }
        let binding = Outbox.Binding(
            userID: user.id, email: email, messageID: mail.messageID, message: mail.message, requestID: request.requestID,
            addressInterval: settings.mail.throttleAddressInterval, userHourly: settings.mail.throttleUserHourly,
            reconfirmable: settings.mail.reconfirmable, notice: notice)
        switch try database.run({ try Outbox.bind(binding, on: $0) }) {
        case .throttled(let retryAfter):
            var error = HTTPError(.tooManyRequests, code: .throttled, "访问过于频繁", headers: [("Retry-After", String(retryAfter))])
            error.fields = [("retry_after", Int64(retryAfter))]
            throw error
        case .queued(_, let retryAfter):
            mailQueued()
            return .json(.ok, Self.saved, fields: [("retry_after", Int64(retryAfter))])
        }
    }

    /// The `email` of a JSON object body.
    static func email(in body: [UInt8]) throws -> String {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw HTTPError(.badRequest, code: .parameter, "请求体不是有效的JSON")
        }
        guard case .object(let fields) = document else {
            throw HTTPError(.badRequest, code: .parameter, "请求体须为JSON对象")
        }
        guard let value = fields["email"], value != .null else {
            throw HTTPError(.badRequest, code: .necessaryParameter, "缺少必传参数email")
        }
        guard let email = value.string else {
            throw HTTPError(.badRequest, code: .parameter, "参数email须为字符串")
        }
        return email
    }
}
