/// Base64 (RFC 4648 §4) and its URL-safe alphabet (§5).
public enum Base64 {
    public enum Alphabet: Sendable {
        case standard, url
    }

    private static let standardTable = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlTable = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ input: some Collection<UInt8>, alphabet: Alphabet = .standard, padded: Bool = true) -> String {
        String(decoding: encodeBytes(input, alphabet: alphabet, padded: padded), as: UTF8.self)
    }

    public static func encodeBytes(_ input: some Collection<UInt8>, alphabet: Alphabet = .standard, padded: Bool = true) -> [UInt8] {
        let bytes = Array(input)
        let whole = bytes.count / 3, rest = bytes.count % 3
        let length = whole * 4 + (rest == 0 ? 0 : padded ? 4 : rest + 1)
        // Written through buffer pointers into storage of the exact size: a mail's body is
        // kilobytes, and an append per byte cost more than the encoding.
        return bytes.withUnsafeBufferPointer { source in
            (alphabet == .standard ? standardTable : urlTable).withUnsafeBufferPointer { table in
                [UInt8](unsafeUninitializedCapacity: length) { out, count in
                    var from = 0, to = 0
                    for _ in 0..<whole {
                        let chunk = UInt32(source[from]) << 16 | UInt32(source[from + 1]) << 8 | UInt32(source[from + 2])
                        out[to] = table[Int(chunk >> 18 & 63)]
                        out[to + 1] = table[Int(chunk >> 12 & 63)]
                        out[to + 2] = table[Int(chunk >> 6 & 63)]
                        out[to + 3] = table[Int(chunk & 63)]
                        from += 3
                        to += 4
                    }
                    if rest > 0 {
                        var chunk = UInt32(source[from]) << 16
                        if rest == 2 { chunk |= UInt32(source[from + 1]) << 8 }
                        out[to] = table[Int(chunk >> 18 & 63)]
                        out[to + 1] = table[Int(chunk >> 12 & 63)]
                        to += 2
                        if rest == 2 {
                            out[to] = table[Int(chunk >> 6 & 63)]
                            to += 1
                        }
                        while padded && to < length {
                            out[to] = UInt8(ascii: "=")
                            to += 1
                        }
                    }
                    count = to
                }
            }
        }
    }

    /// Strict decoding: only the alphabet's characters, padding only where `padded` says and
    /// only at the end, and no leftover bits (so every text has one decoding).
    public static func decode(_ text: some StringProtocol, alphabet: Alphabet = .standard, padded: Bool = true) -> [UInt8]? {
        var symbols = Array(text.utf8)
        if padded {
            guard symbols.count % 4 == 0 else { return nil }
            var padding = 0
            while padding < 2, symbols.last == UInt8(ascii: "=") {
                symbols.removeLast()
                padding += 1
            }
        }
        guard symbols.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(symbols.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for symbol in symbols {
            guard let value = sextet(symbol, alphabet) else { return nil }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return out
    }

    private static func sextet(_ symbol: UInt8, _ alphabet: Alphabet) -> UInt8? {
        switch symbol {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): symbol - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): symbol - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): symbol - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+") where alphabet == .standard, UInt8(ascii: "-") where alphabet == .url: 62
        case UInt8(ascii: "/") where alphabet == .standard, UInt8(ascii: "_") where alphabet == .url: 63
        default: nil
        }
    }
}
