import COpenSSL

public enum ConstantTime {
    /// Compares two secrets without leaking, through timing, where they first differ.
    /// Lengths are not secret (tokens have fixed formats), so unequal lengths answer at once.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        let a = Array(a), b = Array(b)
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 } }
    }
}
