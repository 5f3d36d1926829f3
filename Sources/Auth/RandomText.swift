import OpenSSL

/// Random text over Django's alphabet for tokens (`a–z A–Z 0–9`, in that order: CSRF masking
/// works on positions in it).
enum RandomText {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    /// Uniformly random characters from the alphabet: bytes that would bias the choice are dropped.
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

    /// A character's position in the alphabet.
    static func position(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x61...0x7A: Int(byte - 0x61)
        case 0x41...0x5A: Int(byte - 0x41) + 26
        case 0x30...0x39: Int(byte - 0x30) + 52
        default: nil
        }
    }
}
