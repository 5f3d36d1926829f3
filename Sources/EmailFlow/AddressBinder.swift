import EmailCore
import HTTP
import Instruments
import Logging
import Processes
import Settings
import Store
import Views

/// Stores a user's new address and queues its verification mail (and the notice to a verified
/// address it replaces) in one transaction: the one way an address is bound, whether from
/// `PUT /emails/` or from the expired link's "send again". While the senders keep up, the mail
/// is inserted leased under this binder's claim and its id handed to them, so no sender has to
/// claim it; otherwise it waits in the queue and they are rung.
struct AddressBinder {
    let database: Database
    let templates: Templates
    let settings: Settings
    /// The pipe to the senders; nil where there are none (the mail then waits for `serve`).
    let handover: Handover?
    /// One per binder (a responder thread has two: the email and the verification controllers'),
    /// so rows a binder inserted share it and no other binder can take them over.
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
    func bind(_ user: User, email: String, requestID: String) throws -> Bound {
        switch try store(user, email: email, requestID: requestID) {
        case .throttled(let retryAfter, let limit):
            Instruments.throttled[limit.rawValue]?.increment()
            throw HTTPError.throttled(retryAfter: retryAfter)
        case .busy(let retryAfter):
            Instruments.throttled["queue"]?.increment()
            throw HTTPError.mailQueueBusy(retryAfter: retryAfter)
        case .queued(let outbox, let retryAfter, _):
            Instruments.mailsQueued.increment()
            Self.logger.info("verification mail queued", metadata: ["outbox": "\(outbox)", "request_id": "\(requestID)"])
            return .queued(retryAfter: retryAfter)
        case .unchanged(let retryAfter):
            return .unchanged(retryAfter: retryAfter)
        }
    }

    private func store(_ user: User, email: String, requestID: String) throws -> Outbox.BindOutcome {
        let now = Clock.unixSeconds()
        let mail = try VerificationMail(userID: user.id, email: email, now: now, settings: settings, templates: templates)
        var notice: (recipient: String, messageID: String, message: [UInt8])?
        if settings.mail.changeNotice, user.emailActive, user.email != email {
            let old = try NoticeMail(to: user.email, newAddress: email, username: user.username, now: now, settings: settings, templates: templates)
            notice = (user.email, old.messageID, old.message)
        }
        let lease = handover.flatMap { settings.delivery.workers > 0 && $0.hasRoom ? Outbox.Lease(claim: claim, seconds: settings.delivery.leaseSeconds) : nil }
        let binding = Outbox.Binding(
            userID: user.id, email: email, messageID: mail.messageID, message: mail.message, requestID: requestID,
            addressInterval: settings.mail.throttleAddressInterval, userHourly: settings.mail.throttleUserHourly,
            addressHourly: settings.mail.throttleAddressHourly,
            reconfirmable: settings.mail.reconfirmable, notice: notice, lease: lease,
            // Handed over, the mail does not wait behind the queue; and the senders are keeping up.
            // The check reads the oldest entries of the due_at index, where delivered rows leave
            // delete-marked entries behind until purge catches up: cheap idle, costly under load.
            maxQueueLag: lease == nil ? settings.delivery.maxQueueLag : 0)
        let outcome = try database.run { try Outbox.bind(binding, on: $0) }
        if case .queued(let id, _, let handedOver) = outcome, let handover {
            if handedOver, let lease, !handover.pass(Handover.Record(id: id, claim: lease.claim)) {
                release(id, lease: lease)
                handover.pass(.ring)
            } else if !handedOver || notice != nil {
                handover.pass(.ring)
            }
        }
        return outcome
    }

    /// The pipe filled between the check and the commit: back to the queue, due now. Should
    /// even that fail, the row goes out when its lease ends.
    private func release(_ id: Int64, lease: Outbox.Lease) {
        do {
            _ = try database.run { try Outbox.release(id, claim: lease.claim, on: $0) }
        } catch {
            Self.logger.warning("mail \(id) could not be handed to a sender nor put back in the queue; it goes out in \(lease.seconds)s: \(error)")
        }
    }
}
