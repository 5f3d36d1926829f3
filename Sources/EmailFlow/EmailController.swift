import Auth
import EmailCore
import HTTP
import Instruments
import Settings
import Store
import Views

/// `PUT /emails/`: store the address (unverified) and queue its verification mail, in one
/// transaction. Checks run in the contract's order: session, CSRF, body, pattern, the password
/// rule, throttle. A database failure anywhere is the route's `saveFailed` answer (see the
/// routing table).
public final class EmailController {
    private let gate: SessionGate
    private let binder: AddressBinder
    private let csrf: CSRF
    private let confirmation: PasswordConfirmation
    private let reauthWindow: Int

    static let saved = "添加邮箱成功"

    /// What a database failure on this route answers: 200 with code 5000, as the tutorial.
    public static let saveFailed = HTTPError(.ok, code: .database, "添加邮箱失败")

    public init(
        database: Database, gate: SessionGate, templates: Templates, settings: Settings, queue: MailQueue, instruments: ResponderInstruments
    ) {
        self.gate = gate
        binder = AddressBinder(queue: queue, templates: templates, settings: settings, instruments: instruments)
        csrf = CSRF(settings.sessions)
        confirmation = PasswordConfirmation(database: database, settings: settings, instruments: instruments)
        reauthWindow = settings.accountSafety.reauthWindow
    }

    public func bind(_ request: Request) throws -> Response {
        let session = try gate.requireSession(for: request)
        guard try csrf.accepts(request) else { throw HTTPError.csrfFailed() }
        let fields = try JSONBody.object(request.body.bytes())
        let email = try JSONBody.string("email", in: fields)
        let password = try JSONBody.optionalString("password", in: fields)
        guard EmailPattern.matches(email) else { throw HTTPError(.forbidden, code: .email, "参数email有误") }

        let user = session.user
        if let password, reauthWindow > 0, user.emailActive, user.email != email {
            try confirm(password, session: session, request: request)
        }
        // An address verified already is answered as a bind too: that is the user's to see on /info/.
        let bound = try binder.bind(user, email: email, requestID: request.requestID, session: session.digest)
        return .json(.ok, Self.saved, fields: [("retry_after", .int(Int64(bound.retryAfter)))])
    }

    /// The password typed to replace a verified address; a wrong one ends the request (and
    /// counts against the login back-off, which may hold it unchecked).
    private func confirm(_ password: String, session: SessionGate.Session, request: Request) throws {
        switch try confirmation.confirm(password, session: session, request: request) {
        case .confirmed:
            return
        case .wrong:
            var error = HTTPError(.forbidden, code: .password, "密码错误")
            error.fields = [("reauth", .bool(true))]
            throw error
        case .held(let seconds):
            var error = HTTPError.throttled(retryAfter: seconds)
            error.message = "密码错误次数过多"
            error.fields.append(("reauth", .bool(true)))
            throw error
        }
    }
}
