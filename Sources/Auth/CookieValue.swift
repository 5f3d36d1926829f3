/// Percent-encodes what a cookie value may not carry as it is (RFC 6265 cookie-octets),
/// so any username fits in the `username` cookie.
enum CookieValue {
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let allowed = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || "-._@+".utf8.contains(byte)
            out += allowed ? String(UnicodeScalar(byte)) : "%" + String(byte, radix: 16, uppercase: true).leftPadded()
        }
        return out
    }
}

private extension String {
    func leftPadded() -> String { count == 1 ? "0" + self : self }
}
