import Codecs

/// A mailbox such as `美多商城<hmmeiduo@163.com>` (Django's EMAIL_FROM form), or a bare address.
public struct MailAddress: Sendable, Equatable {
    public let displayName: String?
    public let address: String

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `z…@example.com`: enough for the owner to recognise an address, not the whole of it (for
    /// the change notice, and the senders' logs).
    public static func masked(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@"), let first = address.first, address.startIndex != at else { return "…" }
        return "\(first)…\(address[at...])"
    }

    public init(displayName: String?, address: String) throws {
        guard Self.isPlainAddress(address) else { throw Invalid(description: "'\(address)' is not a plain mail address") }
        guard !(displayName ?? "").unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Invalid(description: "the display name contains control characters")
        }
        self.displayName = displayName.flatMap { $0.isEmpty ? nil : $0 }
        self.address = address
    }

    /// Parses `Name <address>`, `Name<address>`, `"Name" <address>` or `address`.
    public static func parse(_ text: String) throws -> MailAddress {
        let trimmed = text.trimming(" \t")
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else {
            return try MailAddress(displayName: nil, address: trimmed)
        }
        var name = trimmed[..<open].trimming(" \t")
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast())
        }
        let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        return try MailAddress(displayName: name, address: address)
    }

    /// The domain part, for Message-IDs.
    public var domain: String {
        String(address[address.index(after: address.lastIndex(of: "@")!)...])
    }

    /// The mailbox as a header value: the name RFC 2047-encoded when it is not plain ASCII.
    /// `prefixLength` is how much of the first line the header's name takes.
    public func headerValue(folding prefixLength: Int) -> String {
        guard let displayName else { return address }
        if displayName.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            let quoted = displayName.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
            return "\"\(quoted)\" <\(address)>"
        }
        let name = EncodedWord.encodeCountingLastLine(displayName, prefixLength: prefixLength)
        let mailbox = "<\(address)>"
        let fits = name.lastLineLength + 1 + mailbox.count <= EncodedWord.maximumLineLength
        return name.text + (fits ? " " : "\r\n ") + mailbox
    }

    /// `local@domain` in printable ASCII with nothing that could break a header or an SMTP
    /// command: no spaces, controls, quotes, brackets, commas or semicolons.
    static func isPlainAddress(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= 254, let at = bytes.lastIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1 else {
            return false
        }
        let forbidden = Set("()<>[]\\,;:\"@ ".utf8)
        return bytes.enumerated().allSatisfy { index, byte in
            byte > 0x20 && byte < 0x7F && (index == at || !forbidden.contains(byte))
        }
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
