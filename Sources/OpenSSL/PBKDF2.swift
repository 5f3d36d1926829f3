import COpenSSL

public enum PBKDF2 {
    /// PBKDF2 with HMAC-SHA256, as Django's `pbkdf2_sha256` hasher uses it.
    public static func sha256(password: some Collection<UInt8>, salt: some Collection<UInt8>, iterations: Int, length: Int = 32) -> [UInt8] {
        let password = Array(password), salt = Array(salt)
        var out = [UInt8](repeating: 0, count: length)
        let ok = password.withUnsafeBytes { p in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    PKCS5_PBKDF2_HMAC(
                        p.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(p.count),
                        s.baseAddress, Int32(s.count), Int32(clamping: iterations), EVP_sha256(),
                        Int32(length), o.baseAddress)
                }
            }
        }
        precondition(ok == 1, "PKCS5_PBKDF2_HMAC failed")
        return out
    }
}
