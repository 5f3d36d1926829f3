/// Where the service listens: a unix socket's path, or a TCP address and port.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case unix(String)
    case tcp(IPAddress, port: Int)

    /// `host:port` with an IPv4 address, or `[IPv6]:port`, is TCP; text with a slash, or without
    /// a `:port` ending, is a socket's path (`./name:1` for a path that looks like host:port).
    public init(_ text: String) throws(AddressProblem) {
        let example = "an IP address and port (192.0.2.10:9000, [2001:db8::10]:9000) or a socket path"
        guard !text.contains("/") else {
            self = .unix(text)
            return
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), let address = IPAddress(String(text[text.index(after: text.startIndex)..<close])),
                !address.isIPv4, text[text.index(after: close)...].hasPrefix(":")
            else { throw AddressProblem("'\(text)' is not \(example)") }
            self = .tcp(address, port: try Self.port(text[text.index(close, offsetBy: 2)...], in: text))
            return
        }
        guard let colon = text.lastIndex(of: ":"), Self.isDigits(text[text.index(after: colon)...]) else {
            self = .unix(text)
            return
        }
        guard let address = IPAddress(String(text[..<colon])), address.isIPv4 else {
            throw AddressProblem("'\(text)' is not \(example)")
        }
        self = .tcp(address, port: try Self.port(text[text.index(after: colon)...], in: text))
    }

    /// Where a client on this host reaches the service: a wildcard address as loopback.
    public var local: ListenAddress {
        guard case .tcp(let address, let port) = self, address.bytes.allSatisfy({ $0 == 0 }) else { return self }
        return .tcp(IPAddress(address.isIPv4 ? "127.0.0.1" : "::1")!, port: port)
    }

    public var description: String {
        switch self {
        case .unix(let path): path
        case .tcp(let address, let port): address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
        }
    }

    private static func port(_ digits: Substring, in text: String) throws(AddressProblem) -> Int {
        guard isDigits(digits), let port = Int(digits), (1...65535).contains(port) else {
            throw AddressProblem("'\(text)' needs a port from 1 to 65535")
        }
        return port
    }

    private static func isDigits(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
