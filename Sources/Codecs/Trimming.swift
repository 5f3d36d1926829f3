extension StringProtocol {
    /// The text without leading and trailing `unwanted` characters. Works on Unicode scalars,
    /// so "\r\n" is two characters here, not one as for `Character`.
    public func trimming(_ unwanted: String = " \t\r\n") -> String {
        let set = unwanted.unicodeScalars
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !set.contains($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !set.contains($0) })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
