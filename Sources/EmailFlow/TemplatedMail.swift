import EmailCore
import Settings
import Views

/// One of the service's mails: both bodies from the pair `templates/mail/<name>.txt` and
/// `.html`, and the finished MIME message under a new Message-ID.
struct TemplatedMail {
    let messageID: String
    let message: [UInt8]

    static func templates(_ name: String) -> [String] { ["mail/\(name).txt", "mail/\(name).html"] }

    init(
        _ name: String, to address: String, subject: String, values: [String: Any], now: Int64, settings: Settings,
        templates: Templates
    ) throws {
        messageID = MailMessage.makeMessageID(date: now, domain: settings.mail.from.domain)
        message = MailMessage(
            from: settings.mail.from, to: try MailAddress(displayName: nil, address: address), subject: subject, date: now,
            messageID: messageID,
            text: templates.text("mail/\(name).txt", values),
            html: templates.html("mail/\(name).html", values)
        ).rendered()
    }
}
