import EmailCore
import Settings
import Views

/// Writes the verification mail for an address: the token, the link, both bodies from
/// `templates/mail/`, and the finished MIME message.
public struct VerificationMail {
    public static let subject = "美多商城邮箱验证"

    /// `mail/verify_email.{txt,html}`: the address and the link that verifies it.
    public struct Body: MailView {
        public static let name = "verify_email"

        let email: String
        let verifyURL: String

        public var context: ViewContext { ["email": .text(email), "verify_url": .text(verifyURL)] }
    }

    public let messageID: String
    public let verifyURL: String
    public let message: [UInt8]

    public init(userID: Int64, email: String, now: Int64, settings: Settings, templates: Templates) throws {
        let token = VerificationToken.sign(
            .init(userID: userID, email: email), secret: settings.secretKey, issuedAt: now,
            expiresIn: Int64(settings.verification.lifetime))
        verifyURL = settings.verification.url + "?token=" + token
        let mail = try TemplatedMail(
            Body(email: email, verifyURL: verifyURL), to: email, subject: Self.subject, now: now, settings: settings, templates: templates)
        messageID = mail.messageID
        message = mail.message
    }
}
