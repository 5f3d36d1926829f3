/// Where `next` may send the browser after login: a path on this site only.
public enum RedirectTarget {
    /// `next` when it is a plain same-site path, else `fallback`. Rejects scheme-relative
    /// (`//evil`), backslash (`/\evil`, which browsers read as `//`), absolute URLs and
    /// anything with control or non-ASCII characters.
    public static func sanitize(_ next: String?, fallback: String = "/info/") -> String {
        guard let next, next.first == "/" else { return fallback }
        let bytes = Array(next.utf8)
        if bytes.count > 1, bytes[1] == UInt8(ascii: "/") || bytes[1] == UInt8(ascii: "\\") { return fallback }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else { return fallback }
        return next
    }
}
