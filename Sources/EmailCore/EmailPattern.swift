import Codecs

/// The tutorial's address rule, `^[a-z0-9][\w\.\-]*@[a-z0-9\-]+(\.[a-z]{2,5}){1,2}$`, applied to
/// the whole string with `\w` meaning ASCII `[A-Za-z0-9_]` only, plus the column's 254-byte limit.
/// Written out by hand: no regex engine, no way for a trailing newline to slip through.
public enum EmailPattern {
    public static let maximumLength = 254

    public static func matches(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumLength, let at = bytes.firstIndex(of: UInt8(ascii: "@")) else {
            return false
        }
        let local = bytes[..<at], domain = bytes[(at + 1)...]
        guard let first = local.first, isLowerAlphanumeric(first),
            local.dropFirst().allSatisfy({ isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
        else { return false }

        // `[a-z0-9\-]+` cannot contain a dot, so the dots split the domain exactly.
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count == 2 || labels.count == 3,
            !labels[0].isEmpty, labels[0].allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") })
        else { return false }
        return labels.dropFirst().allSatisfy { (2...5).contains($0.count) && $0.allSatisfy(isLowerLetter) }
    }

    private static func isLowerLetter(_ byte: UInt8) -> Bool { ASCII.isLowercase(byte) }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool { ASCII.isLowercase(byte) || ASCII.isDigit(byte) }

    /// Python's ASCII `\w`.
    private static func isWord(_ byte: UInt8) -> Bool { ASCII.isAlphanumeric(byte) || byte == UInt8(ascii: "_") }
}
