import COpenSSL

/// Keyed message authentication (HMAC) over OpenSSL's one-shot `HMAC()`.
public enum HMAC {
    public static func sha256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        compute(EVP_sha256(), length: 32, key: key, message: message)
    }

    public static func sha512(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        compute(EVP_sha512(), length: 64, key: key, message: message)
    }

    private static func compute(
        _ digest: OpaquePointer?, length: Int, key: some Collection<UInt8>, message: some Collection<UInt8>
    ) -> [UInt8] {
        let key = Array(key), message = Array(message)
        var out = [UInt8](repeating: 0, count: length)
        var written: UInt32 = 0
        let result = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                out.withUnsafeMutableBufferPointer { o in
                    COpenSSL.HMAC(
                        digest, k.baseAddress, Int32(k.count), m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count, o.baseAddress, &written)
                }
            }
        }
        precondition(result != nil && Int(written) == length, "HMAC failed")
        return out
    }
}
