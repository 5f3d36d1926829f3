import EmailCore
import Settings
import Views

/// The notice to a verified address that is being replaced: who asked for which new address
/// (shown masked), and what to do if it was not them.
public struct NoticeMail {
    public static let subject = "美多商城账号邮箱变更提醒"

    /// `mail/address_changed.{txt,html}`: the account, and the new address masked.
    public struct Body: MailView {
        public static let name = "address_changed"

        let username: String
        let maskedNewAddress: String

        public var context: ViewContext { ["username": .text(username), "new_email": .text(maskedNewAddress)] }
    }

    public let messageID: String
    public let message: [UInt8]

    public init(to oldAddress: String, newAddress: String, username: String, now: Int64, settings: Settings, templates: Templates) throws {
        let mail = try TemplatedMail(
            Body(username: username, maskedNewAddress: MailAddress.masked(newAddress)), to: oldAddress, subject: Self.subject, now: now,
            settings: settings, templates: templates)
        messageID = mail.messageID
        message = mail.message
    }
}
