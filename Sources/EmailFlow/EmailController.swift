import Auth
import HTTP
import Store
import Views

/// `PUT /emails/`: store the address (unverified) and queue its verification mail, in one
/// transaction. Checks run in the contract's order: session, CSRF, body, pattern, throttle.
public final class EmailController {
    private let database: Database
    private let gate: SessionGate
    private let templates: Templates
    private let settings: EmailFlowSettings
    private let mailQueued: () -> Void

    static let saved = "添加邮箱成功"
    static let badEmail = HTTPError(.forbidden, code: .email, "参数email有误")
    static let throttled = HTTPError(.tooManyRequests, code: .throttled, "访问过于频繁")
    static let saveFailed = HTTPError(.ok, code: .database, "添加邮箱失败")

    /// `mailQueued` runs after each commit, to wake the mail senders.
    public init(database: Database, gate: SessionGate, templates: Templates, settings: EmailFlowSettings, mailQueued: @escaping () -> Void) {
        self.database = database
        self.gate = gate
        self.templates = templates
        self.settings = settings
        self.mailQueued = mailQueued
    }

    public func bind(_ request: Request) throws -> Response {
        let user: User
        do {
            user = try gate.requireUser(for: request)
        } catch let error as DatabaseError {
            throw Self.saveFailed.causedBy(error)
        }
        guard CSRF.isValid(request) else { throw HTTPError.csrfFailed }
        let email = try Self.email(in: request.checkedBody())
        guard EmailPattern.matches(email) else { throw Self.badEmail }

        let now = Clock.seconds()
        let mail = try VerificationMail(userID: user.id, email: email, now: now, settings: settings, templates: templates)
        let outcome: Outbox.BindOutcome
        do {
            outcome = try database.run {
                try Outbox.bind(
                    userID: user.id, email: email, messageID: mail.messageID, message: mail.message,
                    addressInterval: settings.throttle.addressInterval, userHourly: settings.throttle.userHourly, on: $0)
            }
        } catch let error as DatabaseError {
            throw Self.saveFailed.causedBy(error)
        }
        guard outcome == .queued else { throw Self.throttled }
        mailQueued()
        return .json(.ok, Self.saved)
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
