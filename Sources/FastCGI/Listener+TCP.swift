import Addresses
import Glibc

extension Listener {
    /// Binds `host:port` (a wildcard IPv6 address takes IPv4 clients too, as the system allows)
    /// and listens on it; a restarted service rebinds at once (SO_REUSEADDR).
    static func bind(host: IPAddress, port: Int, backlog: Int32 = 1024) throws -> Listener {
        let address = SocketAddress(host, port: port)
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FastCGIError("socket") }
        do {
            var one: Int32 = 1
            guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw FastCGIError("setsockopt SO_REUSEADDR")
            }
            guard address.withSockaddr({ Glibc.bind(fd, $0, $1) }) == 0 else { throw FastCGIError("bind \(host):\(port)") }
            guard listen(fd, backlog) == 0 else { throw FastCGIError("listen \(host):\(port)") }
        } catch {
            Glibc.close(fd)
            throw error
        }
        return Listener(inheritedFD: fd)
    }
}
