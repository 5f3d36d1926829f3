import Glibc
import Processes
import Synchronization

/// Cuts off connections whose request has not been read whole within the time allowed: the
/// socket's own timeout bounds each read, so a client trickling a byte at a time would
/// otherwise hold a request thread for as long as it likes. One watchdog thread per process
/// shuts such sockets down, which ends libfcgi's read at once.
public final class RequestDeadlines: Sendable {
    /// The watchdog keeps its own copy of each descriptor, so the number it shuts down can
    /// never be one that libfcgi closed and the kernel handed to another connection.
    private struct Entry {
        let copy: Int32
        let deadline: Double
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var next: UInt64 = 0
        var running = true
    }

    public let seconds: Double
    private let state = Mutex(State())
    /// How often the watchdog looks: a deadline is kept to within this.
    private static let tick = 0.05

    public init(seconds: Double) {
        self.seconds = seconds
    }

    /// Runs the watchdog until `stop`; call on a thread of its own.
    public func watch() {
        while state.withLock({ $0.running }) {
            usleep(UInt32(Self.tick * 1_000_000))
            let now = Clock.monotonic()
            state.withLock { state in
                for (token, entry) in state.entries where entry.deadline <= now {
                    shutdown(entry.copy, Int32(SHUT_RDWR))
                    close(entry.copy)
                    state.entries[token] = nil
                }
            }
        }
    }

    public func stop() {
        state.withLock { $0.running = false }
    }

    /// Starts the clock on `connection`; nil when it cannot be watched (out of descriptors).
    func arm(_ connection: Int32) -> UInt64? {
        let copy = fcntl(connection, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { return nil }
        let deadline = Clock.monotonic() + seconds
        return state.withLock { state in
            state.next += 1
            state.entries[state.next] = Entry(copy: copy, deadline: deadline)
            return state.next
        }
    }

    /// Stops the clock; false when it had run out and the connection was cut off.
    @discardableResult
    func disarm(_ token: UInt64) -> Bool {
        guard let entry = state.withLock({ $0.entries.removeValue(forKey: token) }) else { return false }
        close(entry.copy)
        return true
    }
}
