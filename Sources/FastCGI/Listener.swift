import Addresses
import Glibc

/// A listening stream socket, the way nginx reaches the responder: a unix socket, or TCP.
public struct Listener: Sendable {
    public let fd: Int32

    /// Adopts a socket that is already listening (inherited from a supervisor or a socket manager).
    public init(inheritedFD fd: Int32) {
        self.fd = fd
    }

    /// Listens on `address`; `mode` and `group` are a unix socket's (nginx's workers must be able
    /// to connect), TCP's clients are checked as they connect (`Exchange`).
    public static func bind(_ address: ListenAddress, mode: UInt32, group: UInt32?) throws -> Listener {
        switch address {
        case .unix(let path): try bind(path: path, mode: mode, group: group)
        case .tcp(let host, let port): try bind(host: host, port: port)
        }
    }

    /// Binds `path` (replacing a stale socket file) and listens on it.
    static func bind(path: String, mode: UInt32, group: UInt32?, backlog: Int32 = 1024) throws -> Listener {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            throw FastCGIError("socket path longer than \(capacity - 1) bytes", code: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FastCGIError("socket") }
        do {
            try removeStaleSocket(at: path)
            // The file is made with `mode` by bind itself (through the umask), and given its group
            // without following a link: nothing here changes a file planted in its place.
            let previous = umask(~mode & 0o777)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            umask(previous)
            guard bound == 0 else { throw FastCGIError("bind \(path)") }
            if let group, fchownat(AT_FDCWD, path, uid_t.max, group, AT_SYMLINK_NOFOLLOW) != 0 { throw FastCGIError("chown \(path)") }
            guard listen(fd, backlog) == 0 else { throw FastCGIError("listen \(path)") }
        } catch {
            Glibc.close(fd)
            throw error
        }
        return Listener(inheritedFD: fd)
    }

    /// Makes accept return EAGAIN instead of blocking, for threads that wait in epoll first and
    /// may lose the race for a connection to another thread or process.
    public func setNonBlocking() throws {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw FastCGIError("fcntl O_NONBLOCK") }
    }

    public func close() {
        _ = Glibc.close(fd)
    }

    /// Closes the socket and removes a unix socket's file.
    public func remove(_ address: ListenAddress) {
        close()
        if case .unix(let path) = address { unlink(path) }
    }

    private static func removeStaleSocket(at path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw FastCGIError("\(path) exists and is not a socket", code: EEXIST)
        }
        guard unlink(path) == 0 else { throw FastCGIError("unlink \(path)") }
    }
}
