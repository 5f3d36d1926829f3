import CLinux
import Glibc

/// The responder's "mail was queued" hint to the senders: one byte down a pipe the supervisor
/// made. The database stays the only record of what is queued; a lost or extra byte costs at
/// most one claim query, and a timer covers what the pipe does not (retries coming due).
public enum Wakeup {
    /// A non-blocking, close-on-exec pipe: (read end for the senders, write end for the responder).
    public static func makePipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard pipe2(&ends, O_NONBLOCK | O_CLOEXEC) == 0 else { throw PipeError(code: errno) }
        return (ends[0], ends[1])
    }

    public struct PipeError: Error, CustomStringConvertible {
        public let code: Int32
        public var description: String { "pipe2: \(String(cString: strerror(code)))" }
    }

    /// Rings the senders. Never blocks: a full pipe means they already have plenty to wake for.
    public static func ring(_ fd: Int32) {
        var byte: UInt8 = 1
        _ = write(fd, &byte, 1)
    }

    /// Empties the pipe after a wake-up; answers how many rings it took (0 when another
    /// sender took them first).
    static func drain(_ fd: Int32) -> Int {
        var buffer = [UInt8](repeating: 0, count: 512)
        var total = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return total }
            total += count
        }
    }
}
