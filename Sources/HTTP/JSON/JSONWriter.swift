import Codecs

/// Writes flat JSON objects straight into bytes, fields in the order given.
public enum JSONWriter {
    public enum Scalar: Sendable, Equatable {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case null
    }

    /// `asciiOnly` escapes every non-ASCII character as `\uXXXX`, as Python's `json.dumps` does.
    public static func object(_ fields: KeyValuePairs<String, Scalar>, asciiOnly: Bool = false) -> [UInt8] {
        object(fields.map { ($0.key, $0.value) }, asciiOnly: asciiOnly)
    }

    public static func object(_ fields: [(String, Scalar)], asciiOnly: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(96)
        for (position, field) in fields.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            appendString(field.0, to: &bytes, asciiOnly: asciiOnly)
            bytes.append(UInt8(ascii: ":"))
            switch field.1 {
            case .string(let text): appendString(text, to: &bytes, asciiOnly: asciiOnly)
            case .int(let number): bytes.append(contentsOf: String(number).utf8)
            case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
            case .null: bytes.append(contentsOf: "null".utf8)
            }
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    static func appendString(_ value: String, to bytes: inout [UInt8], asciiOnly: Bool) {
        bytes.append(UInt8(ascii: "\""))
        if asciiOnly {
            for unit in value.utf16 {
                if unit < 0x80 { appendEscaped(UInt8(unit), to: &bytes) } else { appendUnicodeEscape(unit, to: &bytes) }
            }
        } else {
            for byte in value.utf8 {
                if byte < 0x80 { appendEscaped(byte, to: &bytes) } else { bytes.append(byte) }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ byte: UInt8, to bytes: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0..<0x20, 0x7F: appendUnicodeEscape(UInt16(byte), to: &bytes)
        default: bytes.append(byte)
        }
    }

    private static func appendUnicodeEscape(_ unit: UInt16, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(ASCII.lowercaseHexDigits[Int(unit >> UInt16(shift) & 0xF)])
        }
    }
}
