import EmailCore
import Settings
import Views

/// The notice to a verified address that is being replaced: who asked for which new address
/// (shown masked), and what to do if it was not them.
public struct NoticeMail {
    public static let subject = "美多商城账号邮箱变更提醒"
    static let template = "address_changed"
    public static let templates = TemplatedMail.templates(template)

    public let messageID: String
    public let message: [UInt8]

    public init(to oldAddress: String, newAddress: String, username: String, now: Int64, settings: Settings, templates: Templates) throws {
        let mail = try TemplatedMail(
            Self.template, to: oldAddress, subject: Self.subject, values: ["username": username, "new_email": MailAddress.masked(newAddress)],
            now: now, settings: settings, templates: templates)
        messageID = mail.messageID
        message = mail.message
    }
}
