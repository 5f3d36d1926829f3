import OpenSSL

enum RandomText {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    /// Uniformly random characters from [a-zA-Z0-9]: bytes that would bias the choice are dropped.
    static func alphanumeric(count: Int) -> String {
        var out: [UInt8] = []
        let limit = UInt8(256 - 256 % alphabet.count)
        while out.count < count {
            for byte in SecureRandom.bytes(count) where byte < limit && out.count < count {
                out.append(alphabet[Int(byte) % alphabet.count])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
