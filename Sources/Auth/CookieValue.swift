import Codecs

/// Percent-encodes what a cookie value may not carry as it is (RFC 6265 cookie-octets),
/// so any username fits in the `username` cookie.
enum CookieValue {
    static func encode(_ text: String) -> String {
        var out: [UInt8] = []
        for byte in text.utf8 {
            if ASCII.isAlphanumeric(byte) || "-._@+".utf8.contains(byte) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), ASCII.uppercaseHexDigits[Int(byte >> 4)], ASCII.uppercaseHexDigits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
