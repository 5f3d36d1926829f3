import Auth
import EmailCore
import HTTP
import Instruments
import Settings
import Store
import Views

/// `PUT /emails/`: store the address (unverified) and queue its verification mail, in one
/// transaction. Checks run in the contract's order: session, CSRF, body, pattern, throttle.
/// A database failure anywhere is the route's `saveFailed` answer (see the routing table).
public final class EmailController {
    private let gate: SessionGate
    private let binder: AddressBinder
    private let csrf: CSRF

    static let saved = "添加邮箱成功"

    /// What a database failure on this route answers: 200 with code 5000, as the tutorial.
    public static let saveFailed = HTTPError(.ok, code: .database, "添加邮箱失败")

    public init(gate: SessionGate, templates: Templates, settings: Settings, queue: MailQueue, instruments: ResponderInstruments) {
        self.gate = gate
        binder = AddressBinder(queue: queue, templates: templates, settings: settings, instruments: instruments)
        csrf = CSRF(settings.sessions)
    }

    public func bind(_ request: Request) throws -> Response {
        let user = try gate.requireUser(for: request)
        guard try csrf.accepts(request) else { throw HTTPError.csrfFailed() }
        let email = try Self.email(in: request.body.bytes())
        guard EmailPattern.matches(email) else { throw HTTPError(.forbidden, code: .email, "参数email有误") }

        // An address verified already is answered as a bind too: that is the user's to see on /info/.
        let bound = try binder.bind(user, email: email, requestID: request.requestID)
        return .json(.ok, Self.saved, fields: [("retry_after", .int(Int64(bound.retryAfter)))])
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
