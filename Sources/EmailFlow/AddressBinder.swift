import EmailCore
import Processes
import Settings
import Store
import Views

/// Stores a user's new address and queues its verification mail (and the notice to a verified
/// address it replaces) in one transaction: the one way an address is bound, whether from
/// `PUT /emails/` or from the expired link's "send again".
struct AddressBinder {
    let database: Database
    let templates: Templates
    let settings: Settings

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
            reconfirmable: settings.mail.reconfirmable, notice: notice)
        return try database.run { try Outbox.bind(binding, on: $0) }
    }
}
