/// Byte classes of ASCII, for everything that parses or writes text as UTF-8 bytes.
public enum ASCII {
    public static let lowercaseHexDigits = Array("0123456789abcdef".utf8)
    public static let uppercaseHexDigits = Array("0123456789ABCDEF".utf8)

    public static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    public static func isLowercase(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
    public static func isUppercase(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    public static func isLetter(_ byte: UInt8) -> Bool { isLowercase(byte) || isUppercase(byte) }
    public static func isAlphanumeric(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) }
    /// Printable ASCII: from `!` to `~`, no space, no controls.
    public static func isVisible(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    /// The value of a hex digit, either case.
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}
