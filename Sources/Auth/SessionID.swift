import Codecs
import OpenSSL

/// A session id: 256 random bits, sent to the browser as 64 hex digits and stored only as
/// the SHA-256 digest of those bits.
public struct SessionID: Sendable {
    public let cookieValue: String
    public let digest: [UInt8]

    public static func generate() -> SessionID {
        let bits = SecureRandom.bytes(32)
        return SessionID(cookieValue: Hex.encode(bits), digest: Digest.sha256(bits))
    }

    /// The digest for a cookie value, or nil when the value cannot be one of ours (checked
    /// before any database work, so forged cookies cost nothing).
    public static func digest(ofCookie value: String) -> [UInt8]? {
        guard value.utf8.count == 64, let bits = Hex.decode(value) else { return nil }
        return Digest.sha256(bits)
    }
}
