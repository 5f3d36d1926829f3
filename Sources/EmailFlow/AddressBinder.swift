import EmailCore
import Instruments
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

    func bind(_ user: User, email: String, requestID: String) throws -> Outbox.BindOutcome {
        let now = Clock.unixSeconds()
        let mail = try VerificationMail(userID: user.id, email: email, now: now, settings: settings, templates: templates)
        var notice: (recipient: String, messageID: String, message: [UInt8])?
        if settings.mail.changeNotice, user.emailActive, user.email != email {
            let old = try NoticeMail(to: user.email, newAddress: email, username: user.username, now: now, settings: settings, templates: templates)
            notice = (user.email, old.messageID, old.message)
        }
        let binding = Outbox.Binding(
            userID: user.id, email: email, messageID: mail.messageID, message: mail.message, requestID: requestID,
            addressInterval: settings.mail.throttleAddressInterval, userHourly: settings.mail.throttleUserHourly,
            addressHourly: settings.mail.throttleAddressHourly,
            reconfirmable: settings.mail.reconfirmable, notice: notice, lease: nil, maxQueueLag: settings.delivery.maxQueueLag)
        let outcome = try queue.bind(binding, claim: claim, leaseSeconds: settings.delivery.leaseSeconds)
        switch outcome {
        case .throttled(_, .address): instruments.throttled[.address].increment()
        case .throttled(_, .user): instruments.throttled[.user].increment()
        case .busy: instruments.throttled[.queue].increment()
        case .queued: instruments.mailsQueued.increment()
        case .unchanged: break
        }
        return outcome
    }
}
