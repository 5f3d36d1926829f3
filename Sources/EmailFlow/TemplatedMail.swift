import EmailCore
import Settings
import Views

/// One of the service's mails: both bodies from its view's pair of templates, and the finished
/// MIME message under a new Message-ID.
struct TemplatedMail {
    let messageID: String
    let message: [UInt8]

    init(_ body: some MailView, to address: String, subject: String, now: Int64, settings: Settings, templates: Templates) throws {
        let bodies = try templates.mail(body)
        messageID = MailMessage.makeMessageID(date: now, domain: settings.mail.from.domain)
        message = MailMessage(
            from: settings.mail.from, to: try MailAddress(displayName: nil, address: address), subject: subject, date: now,
            messageID: messageID, text: bodies.text, html: bodies.html
        ).rendered()
    }
}
