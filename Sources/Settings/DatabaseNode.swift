import Codecs

/// One MariaDB server of `MEIDUO_DB_HOST`: a host name or address, and its port.
public struct DatabaseNode: Sendable, Equatable, CustomStringConvertible {
    /// As the driver takes it: an IPv6 address without its brackets.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// `host[:port]` or `[IPv6]:port`, comma-separated, each port defaulting to `port`. Strict:
    /// an empty item, a bare IPv6 address, a bad port or the same node twice is refused, so a
    /// typo cannot silently drop a node from the list.
    static func list(_ text: String, name: String, port defaultPort: Int) throws -> [DatabaseNode] {
        var nodes: [DatabaseNode] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = Substring(item.trimming())
            guard let node = parse(entry, port: defaultPort) else {
                throw Environment.Problem(
                    description: "\(name) must be comma-separated host[:port] or [IPv6]:port items, not '\(entry)' in '\(text)'")
            }
            guard !nodes.contains(node) else { throw Environment.Problem(description: "\(name) lists \(node) twice") }
            nodes.append(node)
        }
        return nodes
    }

    static func parse(_ entry: Substring, port defaultPort: Int) -> DatabaseNode? {
        let host: Substring
        var port = defaultPort
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { return nil }
            host = entry[entry.index(after: entry.startIndex)..<close]
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
            let rest = entry[entry.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = portNumber(rest.dropFirst()) else { return nil }
                port = number
            }
        } else {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return nil }
            host = parts[0]
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }),
                !host.hasPrefix("-"), !host.hasPrefix(".")
            else { return nil }
            if parts.count == 2 {
                guard let number = portNumber(parts[1]) else { return nil }
                port = number
            }
        }
        guard !host.isEmpty else { return nil }
        return DatabaseNode(host: String(host), port: port)
    }

    private static func portNumber(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text),
            (1...65535).contains(value)
        else { return nil }
        return value
    }
}
