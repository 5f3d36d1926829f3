import EmailCore
import Settings
import Views

/// The notice to a verified address that is being replaced: who asked for which new address
/// (shown masked), and the "this wasn't me" link that restores it.
public struct NoticeMail {
    public static let subject = "美多商城账号邮箱变更提醒"

    /// `mail/address_changed.{txt,html}`: the account, the new address masked, the undo link.
    public struct Body: MailView {
        public static let name = "address_changed"

        let username: String
        let maskedNewAddress: String
        let undoURL: String
        let validity: String

        public var context: ViewContext {
            [
                "username": .text(username), "new_email": .text(maskedNewAddress), "undo_url": .text(undoURL),
                "validity": .text(validity),
            ]
        }
    }

    public let messageID: String
    public let message: [UInt8]
    /// What the database knows the change by: the digest of the undo link's id.
    public let changeDigest: [UInt8]

    public init(userID: Int64, to oldAddress: String, newAddress: String, username: String, now: Int64, settings: Settings, templates: Templates)
        throws
    {
        let lifetime = settings.accountSafety.undoLifetime
        let undo = UndoToken.issue(userID: userID, now: now, lifetime: Int64(lifetime), secret: settings.secretKey)
        let body = Body(
            username: username, maskedNewAddress: MailAddress.masked(newAddress), undoURL: settings.accountSafety.undoURL + "?token=" + undo.token,
            validity: Validity.text(seconds: lifetime))
        let mail = try TemplatedMail(body, to: oldAddress, subject: Self.subject, now: now, settings: settings, templates: templates)
        messageID = mail.messageID
        message = mail.message
        changeDigest = undo.claims.digest
    }
}
