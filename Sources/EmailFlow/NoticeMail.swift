import EmailCore
import Settings
import Views

/// The notice to a verified address that is being replaced: who asked for which new address
/// (shown masked), and what to do if it was not them.
public struct NoticeMail {
    public static let subject = "美多商城账号邮箱变更提醒"
    public static let templates = ["mail/address_changed.txt", "mail/address_changed.html"]

    public let messageID: String
    public let message: [UInt8]

    public init(to oldAddress: String, newAddress: String, username: String, now: Int64, settings: Settings, templates: Templates) throws {
        messageID = MailMessage.makeMessageID(date: now, domain: settings.mail.from.domain)
        let values: [String: Any] = ["username": username, "new_email": Self.masked(newAddress)]
        message = MailMessage(
            from: settings.mail.from, to: try MailAddress(displayName: nil, address: oldAddress), subject: Self.subject, date: now,
            messageID: messageID,
            text: templates.text("mail/address_changed.txt", values),
            html: templates.html("mail/address_changed.html", values)
        ).rendered()
    }

    /// `z…@example.com`: enough for the owner to recognise it, not the whole address.
    public static func masked(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@"), let first = address.first, address.startIndex != at else { return "…" }
        return "\(first)…\(address[at...])"
    }
}
