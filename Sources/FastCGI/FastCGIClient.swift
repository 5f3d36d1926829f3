import Addresses
import Glibc

/// Just enough of the web server's side of FastCGI to ask the service one question where it
/// listens (`meiduo-email health`): one GET, the answer's status and body.
public enum FastCGIClient {
    public struct Answer: Sendable {
        public let status: Int
        public let body: [UInt8]
    }

    /// `extra`: more parameters, as nginx's `fastcgi_param` would add them.
    public static func get(_ address: ListenAddress, uri: String, extra: [(String, String)] = [], timeout: Double = 10) throws -> Answer {
        let fd = try connect(address, timeout: timeout)
        defer { Glibc.close(fd) }
        let parameters =
            [
                ("REQUEST_METHOD", "GET"), ("DOCUMENT_URI", uri), ("REQUEST_URI", uri), ("QUERY_STRING", ""),
                ("SERVER_PROTOCOL", "HTTP/1.1"), ("GATEWAY_INTERFACE", "CGI/1.1"), ("REMOTE_ADDR", "127.0.0.1"),
                ("CONTENT_LENGTH", "0"),
            ] + extra
        var encoded: [UInt8] = []
        for (name, value) in parameters {
            encoded += length(name.utf8.count) + length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
        }
        // BEGIN_REQUEST (responder, close the connection after), PARAMS, end of PARAMS, end of STDIN.
        let request = record(1, [0, 1, 0, 0, 0, 0, 0, 0]) + record(4, encoded) + record(4, []) + record(5, [])
        guard send(fd, request) else { throw FastCGIError("write \(address)") }
        var stdout: [UInt8] = []
        while true {
            let header = try receive(fd, count: 8)
            let contentLength = Int(header[4]) << 8 | Int(header[5])
            let content = try receive(fd, count: contentLength + Int(header[6]))
            switch header[1] {
            case 6: stdout += content.prefix(contentLength)
            case 3: return try parse(stdout)
            default: continue
            }
        }
    }

    /// A connection to `address`, its reads and writes bounded by `timeout` (a connect over TCP too).
    private static func connect(_ address: ListenAddress, timeout: Double) throws -> Int32 {
        let fd: Int32
        let connected: Int32
        switch address {
        case .unix(let path):
            var peer = sockaddr_un()
            peer.sun_family = sa_family_t(AF_UNIX)
            guard path.utf8.count < MemoryLayout.size(ofValue: peer.sun_path) else {
                throw FastCGIError("socket path too long", code: ENAMETOOLONG)
            }
            withUnsafeMutableBytes(of: &peer.sun_path) { raw in
                raw.copyBytes(from: path.utf8)
                raw[path.utf8.count] = 0
            }
            fd = try stream(AF_UNIX, timeout: timeout)
            connected = withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        case .tcp(let host, let port):
            let peer = SocketAddress(host, port: port)
            fd = try stream(peer.family, timeout: timeout)
            connected = peer.withSockaddr { Glibc.connect(fd, $0, $1) }
        }
        guard connected == 0 else {
            let error = FastCGIError("connect \(address)")
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    private static func stream(_ family: Int32, timeout: Double) throws -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FastCGIError("socket") }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    private static func record(_ type: UInt8, _ content: [UInt8]) -> [UInt8] {
        [1, type, 0, 1, UInt8(content.count >> 8), UInt8(content.count & 0xFF), 0, 0] + content
    }

    private static func length(_ count: Int) -> [UInt8] {
        count < 128 ? [UInt8(count)] : [UInt8(count >> 24 | 0x80), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) == $0.count }
    }

    private static func receive(_ fd: Int32, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let read = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, count - got) }
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { throw FastCGIError("read", code: read == 0 ? ECONNRESET : errno) }
            got += read
        }
        return bytes
    }

    /// `Status: 200 OK`, the other headers, a blank line, the body.
    private static func parse(_ output: [UInt8]) throws -> Answer {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = output.indices.first(where: { output[$0...].starts(with: separator) }) else {
            throw FastCGIError("no headers in the answer", code: EPROTO)
        }
        let head = String(decoding: output[..<end], as: UTF8.self)
        let status =
            head.split(separator: "\r\n").first { $0.hasPrefix("Status: ") }
            .flatMap { Int($0.dropFirst(8).prefix(3)) } ?? 200
        return Answer(status: status, body: Array(output[(end + 4)...]))
    }
}
