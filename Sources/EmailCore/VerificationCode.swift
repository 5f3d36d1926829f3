import Codecs
import OpenSSL

/// The 6-digit code a verification mail carries beside its link. The database keeps only a hash
/// keyed by a key derived from SECRET_KEY and bound to the user, the address and the mail, so a
/// copy of the table does not give a million-guess brute force, and a code works for nothing else.
public enum VerificationCode {
    public static let length = 6

    /// Uniform over 000000–999999: 32 random bits, values past the last whole million drawn again.
    public static func generate() -> String {
        let limit = UInt32.max - UInt32.max % 1_000_000
        while true {
            let value = SecureRandom.bytes(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard value < limit else { continue }
            let digits = String(value % 1_000_000)
            return String(repeating: "0", count: length - digits.count) + digits
        }
    }

    /// Exactly six ASCII digits: no spaces, no full-width digits, no sign.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy(ASCII.isDigit)
    }

    public static func hash(_ code: String, userID: Int64, email: String, messageID: String, secret: [UInt8]) -> [UInt8] {
        let key = HMAC.sha256(key: secret, message: Array("meiduo-email.verification-code".utf8))
        return HMAC.sha256(key: key, message: Array("\(userID)\n\(email)\n\(messageID)\n\(code)".utf8))
    }

    /// Whether `code` is the one whose hash is `stored`, compared in constant time.
    public static func matches(
        _ code: String, stored: [UInt8], userID: Int64, email: String, messageID: String, secret: [UInt8]
    ) -> Bool {
        ConstantTime.equals(hash(code, userID: userID, email: email, messageID: messageID, secret: secret), stored)
    }
}
