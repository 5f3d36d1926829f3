import EmailCore
import Settings
import Views

/// Writes the verification mail for an address: the token, the link, both bodies from
/// `templates/mail/`, and the finished MIME message.
public struct VerificationMail {
    public static let subject = "美多商城邮箱验证"
    public static let templates = ["mail/verify_email.txt", "mail/verify_email.html"]

    public let messageID: String
    public let verifyURL: String
    public let message: [UInt8]

    public init(userID: Int64, email: String, now: Int64, settings: Settings, templates: Templates) throws {
        let token = VerificationToken.sign(
            .init(userID: userID, email: email), secret: settings.secretKey, issuedAt: now,
            expiresIn: Int64(settings.verification.lifetime))
        verifyURL = settings.verification.url + "?token=" + token
        messageID = MailMessage.makeMessageID(date: now, domain: settings.mail.from.domain)
        let values: [String: Any] = ["email": email, "verify_url": verifyURL]
        message = MailMessage(
            from: settings.mail.from, to: try MailAddress(displayName: nil, address: email), subject: Self.subject, date: now,
            messageID: messageID,
            text: templates.text("mail/verify_email.txt", values),
            html: templates.html("mail/verify_email.html", values)
        ).rendered()
    }
}
