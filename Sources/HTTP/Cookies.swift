public enum Cookies {
    /// Parses a `Cookie` header the way Django's `parse_cookie` does: chunks split on `;`,
    /// names and values trimmed, a chunk without `=` kept under the empty name, the last
    /// duplicate winning, surrounding double quotes dropped.
    public static func parse(_ header: String) -> [String: String] {
        var cookies: [String: String] = [:]
        let bytes = Array(header.utf8)
        for chunk in bytes.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false) {
            let name: ArraySlice<UInt8>, value: ArraySlice<UInt8>
            if let equals = chunk.firstIndex(of: UInt8(ascii: "=")) {
                name = trimmed(chunk[..<equals])
                value = trimmed(chunk[(equals + 1)...])
            } else {
                name = []
                value = trimmed(chunk)
            }
            guard !name.isEmpty || !value.isEmpty else { continue }
            cookies[String(decoding: name, as: UTF8.self)] = unquote(String(decoding: value, as: UTF8.self))
        }
        return cookies
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }

    private static func unquote(_ value: String) -> String {
        guard value.count >= 2, value.first == "\"", value.last == "\"" else { return value }
        return String(value.dropFirst().dropLast())
    }
}

/// One `Set-Cookie` header, written the way Django writes it.
public struct SetCookie: Sendable {
    public enum SameSite: String, Sendable {
        case lax = "Lax"
        case strict = "Strict"
    }

    public var name: String
    public var value: String
    /// Seconds until the cookie expires; nil for a cookie that ends with the browser session.
    public var maxAge: Int?
    public var path = "/"
    public var httpOnly = false
    public var secure = false
    public var sameSite: SameSite? = .lax

    public init(name: String, value: String, maxAge: Int? = nil, httpOnly: Bool = false, secure: Bool = false, sameSite: SameSite? = .lax) {
        self.name = name
        self.value = value
        self.maxAge = maxAge
        self.httpOnly = httpOnly
        self.secure = secure
        self.sameSite = sameSite
    }

    /// A cookie that tells the browser to forget `name`.
    public static func expired(_ name: String, secure: Bool = false) -> SetCookie {
        SetCookie(name: name, value: "", maxAge: 0, secure: secure)
    }

    public func headerValue(now: Int64) -> String {
        var text = "\(name)=\(value)"
        if let maxAge {
            let expires = maxAge == 0 ? 0 : now + Int64(maxAge)
            text += "; expires=\(HTTPDate.format(expires)); Max-Age=\(maxAge)"
        }
        if httpOnly { text += "; HttpOnly" }
        text += "; Path=\(path)"
        if let sameSite { text += "; SameSite=\(sameSite.rawValue)" }
        if secure { text += "; Secure" }
        return text
    }
}
