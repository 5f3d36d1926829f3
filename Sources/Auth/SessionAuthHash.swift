import Codecs
import OpenSSL

/// Django's session auth hash (`AbstractBaseUser.get_session_auth_hash`): HMAC-SHA256 of the
/// user's password column, keyed with SHA-256 of a fixed salt and the secret key. A session
/// remembers it; once the password changes, the session no longer matches and is over.
public enum SessionAuthHash {
    static let salt = Array("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash".utf8)

    public static func compute(passwordHash: String, key: [UInt8]) -> [UInt8] {
        HMAC.sha256(key: Digest.sha256(salt + key), message: Array(passwordHash.utf8))
    }

    /// Whether `stored` (raw bytes, or the hex Django keeps) is the hash of `passwordHash` under
    /// any of `keys` (SECRET_KEY and its fallbacks), compared in constant time.
    public static func matches(_ stored: [UInt8], passwordHash: String, keys: [[UInt8]]) -> Bool {
        guard !stored.isEmpty else { return false }
        var matched = false
        for key in keys {
            let hash = compute(passwordHash: passwordHash, key: key)
            matched = ConstantTime.equals(hash, stored) || ConstantTime.equals(Array(Hex.encode(hash).utf8), stored) || matched
        }
        return matched
    }
}
