import COpenSSL

/// Keyed message authentication (HMAC, RFC 2104) over OpenSSL's digests. The digests are
/// fetched from the provider once per process: OpenSSL 3's one-shot `HMAC()` looks the
/// algorithm up by name on every call, which cost more than the hashing of a short message.
public enum HMAC {
    public static func sha256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        compute(sha256Digest, blockSize: 64, key: key, message: message)
    }

    public static func sha512(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        compute(sha512Digest, blockSize: 128, key: key, message: message)
    }

    // Fetched once and never freed: shared, read-only, safe to use from every thread.
    nonisolated(unsafe) private static let sha256Digest = fetch("SHA2-256")
    nonisolated(unsafe) private static let sha512Digest = fetch("SHA2-512")

    private static func fetch(_ name: String) -> OpaquePointer {
        guard let digest = EVP_MD_fetch(nil, name, nil) else { preconditionFailure("OpenSSL has no \(name)") }
        return digest
    }

    /// H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ message)), with K the key (hashed first when longer than
    /// a block) padded with zeros to the block.
    private static func compute(_ digest: OpaquePointer, blockSize: Int, key: some Collection<UInt8>, message: some Collection<UInt8>)
        -> [UInt8]
    {
        var block = Array(key)
        if block.count > blockSize { block = hash(digest, block) }
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = hash(digest, block.map { $0 ^ 0x36 }, Array(message))
        return hash(digest, block.map { $0 ^ 0x5C }, inner)
    }

    private static func hash(_ digest: OpaquePointer, _ parts: [UInt8]...) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var written: UInt32 = 0
        var ok = EVP_DigestInit_ex2(context, digest, nil) == 1
        for part in parts where ok {
            ok = part.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) } == 1
        }
        ok = ok && out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &written) } == 1
        precondition(ok, "digest failed")
        return Array(out.prefix(Int(written)))
    }
}
