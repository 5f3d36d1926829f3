import Codecs
import OpenSSL

/// Django's `pbkdf2_sha256` password hasher: `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`.
public struct PasswordHasher: Sendable {
    /// Django 4.2's iteration count for new hashes.
    public static let django42Iterations = 600_000

    public let iterations: Int

    public init(iterations: Int = django42Iterations) {
        self.iterations = iterations
    }

    public func hash(_ password: String, salt: String = PasswordHasher.makeSalt()) -> String {
        "pbkdf2_sha256$\(iterations)$\(salt)$\(Self.derive(password, salt: salt, iterations: iterations))"
    }

    /// Checks `password` against an encoded hash (a malformed or foreign one never verifies),
    /// at the same cost whoever asks: a hash with fewer iterations
    /// than ours is topped up to our count after the check (Django's `harden_runtime`), and no
    /// hash at all (an unknown name) or an unusable one costs our count too. Only a hash made
    /// with more (a newer Django's) costs more. Answers the iterations spent, for the log.
    public func check(_ password: String, against encoded: String?) -> (verified: Bool, iterations: Int) {
        guard let parts = encoded.flatMap(Encoded.init) else {
            _ = Self.derive(password, salt: "timing-equaliser", iterations: iterations)
            return (false, iterations)
        }
        let derived = Self.derive(password, salt: parts.salt, iterations: parts.iterations)
        if parts.iterations < iterations {
            _ = Self.derive(password, salt: parts.salt, iterations: iterations - parts.iterations)
        }
        return (ConstantTime.equals(Array(derived.utf8), Array(parts.hash.utf8)), max(parts.iterations, iterations))
    }

    /// Django's `must_update`, upwards only: a hash at fewer iterations than ours is redone on
    /// the next successful login, so raising the count reaches every active user; one at more
    /// (made by a newer Django sharing the table) is never weakened.
    public func needsRehash(_ encoded: String) -> Bool {
        Encoded(encoded).map { $0.iterations < iterations } ?? false
    }

    /// The parts of a well-formed `pbkdf2_sha256$<iterations>$<salt>$<hash>`.
    private struct Encoded {
        let iterations: Int
        let salt: String
        let hash: Substring

        init?(_ encoded: String) {
            let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0] == "pbkdf2_sha256",
                let iterations = Int(parts[1]), (1...100_000_000).contains(iterations), !parts[2].isEmpty
            else { return nil }
            self.iterations = iterations
            salt = String(parts[2])
            hash = parts[3]
        }
    }

    private static func derive(_ password: String, salt: String, iterations: Int) -> String {
        Base64.encode(PBKDF2.sha256(password: Array(password.utf8), salt: Array(salt.utf8), iterations: iterations))
    }

    /// 22 characters from [a-zA-Z0-9] (128 bits), as Django 4.2 makes salts.
    public static func makeSalt() -> String {
        RandomText.alphanumeric(count: 22)
    }
}
