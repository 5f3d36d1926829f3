/// HTML escaping on UTF-8 bytes. An escaper that looks up whole `Character`s misses a quote or
/// bracket followed by a combining mark or a joiner (one grapheme with it); bytes have no such
/// blind spot. Braces are escaped too, so escaped text can never hold a Mustache tag.
public enum HTMLEscaper {
    public static func escape(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.contains(where: needsEscape) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 32)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            case UInt8(ascii: "{"): out += "&#123;".utf8
            case UInt8(ascii: "}"): out += "&#125;".utf8
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), UInt8(ascii: "\""), UInt8(ascii: "'"),
             UInt8(ascii: "{"), UInt8(ascii: "}"):
            true
        default:
            false
        }
    }
}
