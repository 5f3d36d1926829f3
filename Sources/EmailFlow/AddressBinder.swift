import EmailCore
import HTTP
import Instruments
import Logging
import Processes
import Settings
import Store
import Views

/// Stores a user's new address and queues its verification mail (and the notice to a verified
/// address it replaces) in one transaction, through the queue (`MailQueue`): the one way an
/// address is bound, whether from `PUT /emails/` or from the expired link's "send again".
struct AddressBinder {
    let queue: MailQueue
    let templates: Templates
    let settings: Settings
    let instruments: ResponderInstruments
    /// Rows a binder inserts leased for a hand-over are held under this claim, which no other
    /// binder uses.
    let claim = Int64.random(in: 1...Int64.max)

    static let logger = Logger(label: "responder")

    /// A bind that went through; either way, the seconds before another mail to the address may go.
    enum Bound {
        /// The mail is queued.
        case queued(retryAfter: Int)
        /// The address is the user's verified one already: nothing was written.
        case unchanged(retryAfter: Int)

        var retryAfter: Int {
            switch self {
            case .queued(let seconds), .unchanged(let seconds): seconds
            }
        }

        var isUnchanged: Bool {
            if case .unchanged = self { true } else { false }
        }
    }

    /// Binds, and answers the throttles' and the queue's refusals with their errors (a JSON
    /// route shows their `retry_after`, a page their hint), counted like the queued mail.
    /// `session`: the session asking, held to the password rule (MEIDUO_REAUTH_WINDOW) when it
    /// would replace a verified address; nil where the rule has been met (sending again the
    /// mail of an address already asked for).
    func bind(_ user: User, email: String, requestID: String, session: [UInt8]?) throws -> Bound {
        switch try store(user, email: email, requestID: requestID, session: session) {
        case .reauthenticate:
            throw Self.reauthenticate
        case .throttled(let retryAfter, let limit):
            instruments.throttled[limit == .address ? .address : .user].increment()
            throw HTTPError.throttled(retryAfter: retryAfter)
        case .busy(let retryAfter):
            instruments.throttled[.queue].increment()
            throw HTTPError.mailQueueBusy(retryAfter: retryAfter)
        case .queued(let outbox, let retryAfter, _):
            instruments.mailsQueued.increment()
            Self.logger.info("verification mail queued", metadata: ["outbox": "\(outbox)", "request_id": "\(requestID)"])
            return .queued(retryAfter: retryAfter)
        case .unchanged(let retryAfter):
            return .unchanged(retryAfter: retryAfter)
        }
    }

    /// 403 with `"reauth": true`: the page asks for the password and sends the PUT again with it.
    static var reauthenticate: HTTPError {
        var error = HTTPError(.forbidden, code: .reauthenticate, "更换已验证的邮箱前，请输入登录密码确认身份")
        error.fields = [("reauth", .bool(true))]
        return error
    }

    private func store(_ user: User, email: String, requestID: String, session: [UInt8]?) throws -> Outbox.BindOutcome {
        let now = Clock.unixSeconds()
        let mail = try VerificationMail(userID: user.id, email: email, now: now, settings: settings, templates: templates)
        var notice: Outbox.Notice?
        if settings.mail.changeNotice, user.emailActive, user.email != email {
            let old = try NoticeMail(
                userID: user.id, to: user.email, newAddress: email, username: user.username, now: now, settings: settings, templates: templates)
            notice = Outbox.Notice(recipient: user.email, messageID: old.messageID, message: old.message, changeDigest: old.changeDigest)
        }
        let window = settings.accountSafety.reauthWindow
        let binding = Outbox.Binding(
            userID: user.id, email: email, messageID: mail.messageID, message: mail.message, code: mail.code, requestID: requestID,
            addressInterval: settings.mail.throttleAddressInterval, userHourly: settings.mail.throttleUserHourly,
            addressHourly: settings.mail.throttleAddressHourly, reauth: session.flatMap { window > 0 ? ($0, window) : nil },
            reconfirmable: settings.mail.reconfirmable, notice: notice, lease: nil, maxQueueLag: settings.delivery.maxQueueLag)
        return try queue.bind(binding, claim: claim, leaseSeconds: settings.delivery.leaseSeconds)
    }
}
