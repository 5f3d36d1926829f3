/// An IPv4 or IPv6 address: its 4 or 16 bytes in network order.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Dotted-quad IPv4 (no leading zeros, as inet_pton reads it) or IPv6 in RFC 4291's forms
    /// (`::` at most once, an IPv4 tail); no zone, no brackets.
    public init?(_ text: String) {
        guard let bytes = Self.ipv4(text[...]) ?? Self.ipv6(text[...]) else { return nil }
        self.bytes = bytes
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`, how a dual-stack socket shows an IPv4
    /// client) as the IPv4 address it is; any other address as it is.
    public var unmapped: IPAddress {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return self }
        return IPAddress(checked: Array(bytes[12...]))
    }

    /// IPv4 dotted, IPv6 in RFC 5952's short form.
    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var best = (start: 0, count: 0)
        var run = (start: 0, count: 0)
        for (index, group) in groups.enumerated() {
            run = group == 0 ? (run.count == 0 ? (index, 1) : (run.start, run.count + 1)) : (0, 0)
            if run.count > best.count { best = run }
        }
        let hex = { (range: ArraySlice<UInt16>) in range.map { String($0, radix: 16) }.joined(separator: ":") }
        guard best.count > 1 else { return hex(groups[...]) }
        return hex(groups[..<best.start]) + "::" + hex(groups[(best.start + best.count)...])
    }

    init(checked bytes: [UInt8]) {
        self.bytes = bytes
    }

    private static func ipv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                part.utf8.count == 1 || part.utf8.first != 0x30, let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func ipv6(_ text: Substring) -> [UInt8]? {
        guard let gap = text.firstRange(of: "::") else {
            let bytes = groups(text, last: true)
            return bytes?.count == 16 ? bytes : nil
        }
        let tail = text[gap.upperBound...]
        guard tail.firstRange(of: "::") == nil, let before = groups(text[..<gap.lowerBound], last: false),
            let after = groups(tail, last: true), before.count + after.count <= 14
        else { return nil }
        return before + [UInt8](repeating: 0, count: 16 - before.count - after.count) + after
    }

    /// Colon-separated groups of one to four hex digits; the `last` part of an address may end
    /// in an IPv4 address.
    private static func groups(_ text: Substring, last: Bool) -> [UInt8]? {
        guard !text.isEmpty else { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var bytes: [UInt8] = []
        for (index, part) in parts.enumerated() {
            if last, index == parts.count - 1, part.contains("."), let ipv4 = ipv4(part) {
                bytes += ipv4
                continue
            }
            guard (1...4).contains(part.utf8.count), let value = UInt16(part, radix: 16) else { return nil }
            bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
        }
        return bytes.count <= 16 ? bytes : nil
    }
}
