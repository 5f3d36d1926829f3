import Addresses
import CFastCGI
internal import CLinux
import Glibc

/// One request slot of a responder thread: accepts a connection, exposes the request's
/// parameters and body, and takes the response. Not shared between threads.
public final class Exchange {
    // libfcgi keeps pointers into the request, so it lives at a fixed heap address.
    private let request: UnsafeMutablePointer<FCGX_Request>
    private let listener: Int32
    /// On TCP, who may connect (MEIDUO_LISTEN_ALLOW); nil on a unix socket.
    private let clients: AllowList?
    private let timeout: timeval
    private let deadlines: RequestDeadlines
    /// The running request's clock, until its body has been read.
    private var deadline: UInt64?
    private var accepted = false

    /// `deadlines.seconds`: how long a connection may take to send its whole request (and stay
    /// silent while the answer is written), so a stalled or trickling client cannot hold the thread.
    public init(listener: Listener, deadlines: RequestDeadlines, clients: AllowList?) throws {
        self.listener = listener.fd
        self.clients = clients
        self.deadlines = deadlines
        let seconds = deadlines.seconds
        timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        request = .allocate(capacity: 1)
        // No listening socket for libfcgi: it only ever reads connections accepted here (with
        // their timeouts). When one fails, libfcgi's own retry fails at once (EBADF) and returns.
        guard FCGX_InitRequest(request, -1, 0) == 0 else {
            request.deallocate()
            throw FastCGIError("FCGX_InitRequest")
        }
    }

    deinit {
        FCGX_Free(request, 1)
        request.deallocate()
    }

    public enum Accepted {
        case request
        /// Another thread or process took the connection first.
        case nothingWaiting
        /// A client not on the allow-list (its address, when it has one): closed before a byte of it was read.
        case refused(IPAddress?)
        case failed(FastCGIError)
    }

    /// Takes the next request from the listening socket (which is non-blocking). The
    /// connection is accepted here rather than in libfcgi so it gets its timeouts before
    /// libfcgi reads from it: handed over in `ipcFd`, marked as a kept connection so that
    /// `FCGX_Accept_r` reads the request from it instead of closing it (fields of libfcgi
    /// 2.4's FCGX_Request). A connection that times out or breaks the protocol is closed by
    /// libfcgi, and this answers `nothingWaiting`. On TCP, a client outside `clients` is closed
    /// as soon as it is accepted.
    public func accept() -> Accepted {
        var peer = SocketAddress()
        let connection = peer.withMutableSockaddr { accept4(listener, $0, $1, Int32(SOCK_CLOEXEC.rawValue)) }
        guard connection >= 0 else {
            switch errno {
            case EAGAIN, EINTR, ECONNABORTED: return .nothingWaiting
            default: return .failed(FastCGIError("accept"))
            }
        }
        if let clients {
            guard let host = peer.host, clients.admits(host) else {
                Glibc.close(connection)
                return .refused(peer.host)
            }
            // An answer's last record must not wait for the previous one's acknowledgement.
            var one: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        var limit = timeout
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard let armed = deadlines.arm(connection) else {
            Glibc.close(connection)
            return .failed(FastCGIError("dup"))
        }
        deadline = armed
        request.pointee.ipcFd = connection
        request.pointee.keepConnection = 1
        let result = FCGX_Accept_r(request)
        accepted = result == 0
        if !accepted { endDeadline() }
        switch result {
        case 0: return .request
        case -EAGAIN, -EINTR, -ECONNABORTED, -EBADF: return .nothingWaiting
        default: return .failed(FastCGIError("accept", code: -result))
        }
    }

    /// A short pause after a failed accept (out of descriptors, say), so a persistent failure
    /// does not spin a thread.
    public func pauseAfterFailure() {
        usleep(100_000)
    }

    /// The request has been read: whether it was read in time (if not, its connection is
    /// already cut off and it must not be acted on).
    public func requestRead() -> Bool {
        endDeadline()
    }

    @discardableResult
    private func endDeadline() -> Bool {
        guard let token = deadline else { return true }
        deadline = nil
        return deadlines.disarm(token)
    }

    /// Flushes the response and ends the request without waiting for another.
    public func finish() {
        endDeadline()
        guard accepted else { return }
        FCGX_Finish_r(request)
        accepted = false
    }

    /// A CGI parameter such as `REQUEST_METHOD` or `HTTP_COOKIE`.
    public func parameter(_ name: String) -> String? {
        guard let value = FCGX_GetParam(name, request.pointee.envp) else { return nil }
        return String(cString: value)
    }

    /// Reads the request body, stopping after `limit` bytes.
    public func readBody(limit: Int) -> [UInt8] {
        var body: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while body.count < limit {
            let wanted = Int32(min(chunk.count, limit - body.count))
            let got = chunk.withUnsafeMutableBufferPointer {
                $0.withMemoryRebound(to: CChar.self) { FCGX_GetStr($0.baseAddress, wanted, request.pointee.in) }
            }
            guard got > 0 else { break }
            body.append(contentsOf: chunk[0..<Int(got)])
        }
        return body
    }

    /// Reads and drops whatever body is left, so the web server can finish sending it.
    public func discardBody() {
        var chunk = [CChar](repeating: 0, count: 16 * 1024)
        let size = Int32(chunk.count)
        while chunk.withUnsafeMutableBufferPointer({ FCGX_GetStr($0.baseAddress, size, request.pointee.in) }) > 0 {}
    }

    /// Writes response bytes (CGI headers, blank line, body). Returns false if the web server went away.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                FCGX_PutStr($0.baseAddress, Int32($0.count), request.pointee.out) == Int32($0.count)
            }
        }
    }
}
