/// Text escaped for HTML, and the only form in which a value reaches an HTML template.
/// Escaping works on UTF-8 bytes: an escaper that looks up whole `Character`s misses a quote or
/// bracket followed by a combining mark or a joiner (one grapheme with it); bytes have no such
/// blind spot. Braces are escaped too, so escaped text can never hold a Mustache tag.
public struct EscapedHTML: Sendable, Equatable {
    public let text: String

    public init(escaping raw: String) {
        text = Self.escape(raw)
    }

    private static func escape(_ text: String) -> String {
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
