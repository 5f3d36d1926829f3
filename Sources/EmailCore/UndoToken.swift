import Codecs
import OpenSSL

/// The "this wasn't me" link's token: `user.id.expires.signature`, where `id` is 16 random bytes
/// in hex naming the change (the database keeps only their SHA-256) and the signature is
/// HMAC-SHA256 under a key derived from SECRET_KEY for this use alone, base64url. Every part is
/// URL-safe as it is.
public enum UndoToken {
    public struct Claims: Equatable, Sendable {
        public let userID: Int64
        /// The change's id.
        public let id: [UInt8]
        public let expires: Int64

        /// What the database knows the change by.
        public var digest: [UInt8] { Digest.sha256(id) }
    }

    public enum Failure: Error, Equatable {
        case invalid
        case expired(Claims)
    }

    static let idLength = 16

    /// A new change id and its token.
    public static func issue(userID: Int64, now: Int64, lifetime: Int64, secret: [UInt8]) -> (claims: Claims, token: String) {
        let claims = Claims(userID: userID, id: SecureRandom.bytes(idLength), expires: now + lifetime)
        let signed = "\(claims.userID).\(Hex.encode(claims.id)).\(claims.expires)"
        return (claims, signed + "." + Base64.encode(signature(signed, key: secret), alphabet: .url, padded: false))
    }

    /// Checks the signature (under SECRET_KEY, then each fallback) in constant time, then the parts,
    /// then the expiry.
    public static func verify(_ token: String, keys: [[UInt8]], now: Int64) -> Result<Claims, Failure> {
        let bytes = Array(token.utf8)
        guard bytes.count <= 200, let end = bytes.lastIndex(of: UInt8(ascii: ".")),
            let given = Base64.decode(String(decoding: bytes[(end + 1)...], as: UTF8.self), alphabet: .url, padded: false)
        else { return .failure(.invalid) }
        let signed = String(decoding: bytes[..<end], as: UTF8.self)
        guard keys.contains(where: { ConstantTime.equals(signature(signed, key: $0), given) }) else { return .failure(.invalid) }
        let parts = signed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let userID = number(parts[0]), parts[1].utf8.count == idLength * 2,
            parts[1].utf8.allSatisfy({ ASCII.lowercaseHexDigits.contains($0) }), let id = Hex.decode(parts[1]),
            let expires = number(parts[2])
        else { return .failure(.invalid) }
        let claims = Claims(userID: userID, id: id, expires: expires)
        return expires >= now ? .success(claims) : .failure(.expired(claims))
    }

    private static func signature(_ signed: String, key secret: [UInt8]) -> [UInt8] {
        let key = HMAC.sha256(key: secret, message: Array("meiduo-email.undo".utf8))
        return HMAC.sha256(key: key, message: Array(signed.utf8))
    }

    /// Plain decimal digits, no sign, no leading zero, within Int64.
    private static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy(ASCII.isDigit), text == "0" || !text.hasPrefix("0") else { return nil }
        return Int64(text)
    }
}
