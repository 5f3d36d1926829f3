import Codecs

/// Meiduo's mobile-number rule: 11 digits, `1[3-9]` first.
public enum MobileNumber {
    public static func isValid(_ text: String) -> Bool {
        let digits = Array(text.utf8)
        return digits.count == 11 && digits[0] == UInt8(ascii: "1")
            && (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(digits[1]) && digits.allSatisfy(ASCII.isDigit)
    }
}
