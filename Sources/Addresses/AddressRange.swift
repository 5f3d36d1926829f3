/// A CIDR range (`10.0.0.0/8`, `fd00::/8`), or one address (a range of its full length).
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    public let prefixLength: Int

    /// Strict: the address must have no bits set past the prefix (`10.0.0.1/8` is refused, as a
    /// likely typo); an IPv4-mapped IPv6 range is taken as the IPv4 range it is.
    public init(_ text: String) throws(AddressProblem) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else {
            throw AddressProblem("'\(text)' is not an IPv4 or IPv6 address or range")
        }
        let bits = address.bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(parts[1]), (0...bits).contains(value),
                parts[1].utf8.count == 1 || parts[1].utf8.first != 0x30
            else { throw AddressProblem("'\(text)' needs a prefix length from 0 to \(bits) after the /") }
            length = value
        }
        guard Self.masked(address.bytes, to: length) == address.bytes else {
            let network = IPAddress(checked: Self.masked(address.bytes, to: length))
            throw AddressProblem("'\(text)' has bits set past its /\(length) prefix (the range is \(network)/\(length))")
        }
        if address.unmapped.isIPv4, !address.isIPv4, length >= 96 {
            network = address.unmapped
            prefixLength = length - 96
        } else {
            network = address
            prefixLength = length
        }
    }

    /// Whether `address` (an IPv4-mapped one as IPv4) lies in the range.
    public func contains(_ address: IPAddress) -> Bool {
        let address = address.unmapped
        return address.bytes.count == network.bytes.count && Self.masked(address.bytes, to: prefixLength) == network.bytes
    }

    public var description: String {
        "\(network)/\(prefixLength)"
    }

    /// `bytes` with every bit past the first `length` cleared.
    static func masked(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(max(length - index * 8, 0), 8)
            return kept == 0 ? 0 : byte & ~UInt8(0xFF >> kept)
        }
    }
}

/// Why a listen address or an allow-list entry was refused, in words for the operator.
public struct AddressProblem: Error, CustomStringConvertible, Equatable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
