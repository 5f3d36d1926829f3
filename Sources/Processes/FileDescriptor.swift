internal import CLinux
import Glibc

/// An open file descriptor: the few operations the service needs, each retried on EINTR and
/// failing with a `SystemError` or a plain answer, never with errno left for the caller.
public struct FileDescriptor: Sendable, Hashable {
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    public static let standardInput = FileDescriptor(rawValue: 0)
    public static let standardOutput = FileDescriptor(rawValue: 1)
    public static let standardError = FileDescriptor(rawValue: 2)

    /// A non-blocking, close-on-exec pipe.
    public static func pipe() throws -> (read: FileDescriptor, write: FileDescriptor) {
        var ends: [Int32] = [0, 0]
        guard pipe2(&ends, O_NONBLOCK | O_CLOEXEC) == 0 else { throw SystemError("pipe2") }
        return (FileDescriptor(rawValue: ends[0]), FileDescriptor(rawValue: ends[1]))
    }

    /// A connected, close-on-exec, blocking pair of unix stream sockets. Unlike a pipe's ends, a
    /// socket cannot be opened by another process through `/proc/<pid>/fd`.
    public static func socketPair() throws -> (FileDescriptor, FileDescriptor) {
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw SystemError("socketpair")
        }
        return (FileDescriptor(rawValue: ends[0]), FileDescriptor(rawValue: ends[1]))
    }

    /// Opens `path` for writing, created with `mode` if missing, truncated.
    public static func create(_ path: String, mode: UInt32 = 0o600) throws -> FileDescriptor {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        return FileDescriptor(rawValue: fd)
    }

    public func close() {
        _ = Glibc.close(rawValue)
    }

    /// Writes all of `bytes`; false when the descriptor refused some (closed pipe, full disk).
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(rawValue, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
    }

    /// Writes `bytes` (at most PIPE_BUF of them) in one write(2) on a non-blocking pipe: all of
    /// them, never interleaved with another writer's, or none (false: the pipe is full or closed).
    public func writeWhole(_ bytes: [UInt8]) -> Bool {
        precondition(bytes.count <= Int(PIPE_BUF))
        while true {
            let count = bytes.withUnsafeBytes { Glibc.write(rawValue, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            return count == bytes.count
        }
    }

    /// Reads up to `records` records of `size` bytes from a non-blocking pipe whose writers
    /// write whole records (`writeWhole`): a pipe holding only whole records hands out only whole
    /// records to reads of a multiple of their size. Empty when nothing is there.
    public func readRecords(size: Int, upTo records: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: size * records)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            return Array(buffer.prefix(max(0, count)))
        }
    }

    /// Bytes written to a pipe and not yet read (either end may ask).
    public var unreadBytes: Int {
        Int(unread_bytes(rawValue))
    }

    /// Reads until end of file (for descriptors handed over by a parent).
    public func readAll() throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw SystemError("read") }
            if count == 0 { return out }
            out += buffer[0..<count]
        }
    }

    public func sync() throws {
        guard fsync(rawValue) == 0 else { throw SystemError("fsync") }
    }

    public var isTerminal: Bool { isatty(rawValue) == 1 }

    /// Waits until one of `descriptors` is readable or `timeout` seconds pass (nil: forever);
    /// answers which are readable.
    public static func poll(_ descriptors: [FileDescriptor], timeout: Double?) -> [Bool] {
        var watched = descriptors.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
        let milliseconds = timeout.map { Int32(max(0, $0) * 1000) } ?? -1
        let ready = Glibc.poll(&watched, nfds_t(watched.count), milliseconds)
        guard ready > 0 else { return descriptors.map { _ in false } }
        return watched.map { $0.revents != 0 }
    }
}
