/// The client addresses that may connect over TCP, as libfcgi's FCGI_WEB_SERVER_ADDRS or
/// php-fpm's listen.allowed_clients: anything outside every range is refused.
public struct AllowList: Sendable, Equatable, CustomStringConvertible {
    public let ranges: [AddressRange]

    /// This host only: 127.0.0.0/8 and ::1.
    public static let loopback = AllowList(checked: [try! AddressRange("127.0.0.0/8"), try! AddressRange("::1")])

    /// `entries`: addresses and CIDR ranges, IPv4 and IPv6; at least one, each well-formed.
    public init(_ entries: [String]) throws(AddressProblem) {
        guard !entries.isEmpty else { throw AddressProblem("lists no address") }
        var ranges: [AddressRange] = []
        for entry in entries { ranges.append(try AddressRange(entry)) }
        self.ranges = ranges
    }

    private init(checked ranges: [AddressRange]) {
        self.ranges = ranges
    }

    public func admits(_ address: IPAddress) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    public var description: String {
        ranges.map(\.description).joined(separator: ",")
    }
}
