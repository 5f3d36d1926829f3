import EmailCore
import Settings
import Views

/// Writes the verification mail for an address: the token, the link, the 6-digit code, both
/// bodies from `templates/mail/`, and the finished MIME message.
public struct VerificationMail {
    public static let subject = "美多商城邮箱验证"

    /// `mail/verify_email.{txt,html}`: the address, the link that verifies it, and the code that
    /// does the same typed on the user center.
    public struct Body: MailView {
        public static let name = "verify_email"

        let email: String
        let verifyURL: String
        let code: String
        let validity: String

        public var context: ViewContext {
            ["email": .text(email), "verify_url": .text(verifyURL), "code": .text(code), "validity": .text(validity)]
        }
    }

    public let messageID: String
    public let verifyURL: String
    public let message: [UInt8]
    /// The code's keyed hash, bound to the user, the address and this mail, and its lifetime:
    /// the link's.
    public let code: (hash: [UInt8], lifetime: Int)

    public init(userID: Int64, email: String, now: Int64, settings: Settings, templates: Templates) throws {
        let lifetime = settings.verification.lifetime
        let token = VerificationToken.sign(
            .init(userID: userID, email: email), secret: settings.secretKey, issuedAt: now, expiresIn: Int64(lifetime))
        verifyURL = settings.verification.url + "?token=" + token
        let code = VerificationCode.generate()
        let mail = try TemplatedMail(
            Body(email: email, verifyURL: verifyURL, code: code, validity: Validity.text(seconds: lifetime)), to: email,
            subject: Self.subject, now: now, settings: settings, templates: templates)
        messageID = mail.messageID
        message = mail.message
        self.code = (VerificationCode.hash(code, userID: userID, email: email, messageID: messageID, secret: settings.secretKey), lifetime)
    }
}

/// How long a link or code is good for, in the words the mails use.
enum Validity {
    static func text(seconds: Int) -> String {
        for (unit, name) in [(86400, "天"), (3600, "小时"), (60, "分钟")] where seconds >= unit && seconds % unit == 0 {
            return "\(seconds / unit) \(name)"
        }
        return "\(seconds) 秒"
    }
}
