internal import CLinux
import Glibc

/// Lets the request threads wait for a connection or for shutdown, whichever comes first.
/// Each thread gets its own epoll set holding the listening socket with `EPOLLEXCLUSIVE`
/// (so one connection wakes one thread, as a blocking accept would) and the shared stop event.
/// This replaces libfcgi's signal-driven shutdown, which leaves threads blocked in accept.
public final class AcceptWaiter {
    private let epoll: Int32

    public init(listener: Listener, stop: StopEvent) throws {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw FastCGIError("epoll_create1") }
        do {
            try add(listener.fd, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
            try add(stop.fd, events: EPOLLIN.rawValue)
        } catch {
            Glibc.close(epoll)
            throw error
        }
    }

    deinit {
        Glibc.close(epoll)
    }

    private func add(_ fd: Int32, events: UInt32) throws {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 else { throw FastCGIError("epoll_ctl") }
    }

    /// Blocks until a connection may be waiting (true) or the stop event fired (false).
    public func wait(stop: StopEvent) -> Bool {
        var events = (epoll_event(), epoll_event())
        while true {
            let count = withUnsafeMutableBytes(of: &events) {
                epoll_wait(epoll, $0.baseAddress!.assumingMemoryBound(to: epoll_event.self), 2, -1)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            let fired = [events.0, events.1].prefix(Int(count))
            if fired.contains(where: { $0.data.fd == stop.fd }) { return false }
            if count > 0 { return true }
        }
    }
}

/// A one-way, level-triggered "stop now" every waiter sees (an eventfd that stays readable).
public final class StopEvent: Sendable {
    public let fd: Int32

    public init() throws {
        fd = eventfd(0, Int32(EFD_CLOEXEC))
        guard fd >= 0 else { throw FastCGIError("eventfd") }
    }

    deinit {
        Glibc.close(fd)
    }

    public func fire() {
        var one: UInt64 = 1
        _ = Glibc.write(fd, &one, 8)
    }
}
