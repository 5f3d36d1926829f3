internal import CLinux
import Glibc

/// Signals a process handles synchronously: blocked in every thread (before threads start, so
/// they inherit the mask), then taken one at a time by `wait`, or read from a descriptor that
/// `poll` can watch beside others.
public struct Signals: Sendable {
    private let signals: [Int32]

    public init(_ signals: [Int32]) {
        self.signals = signals
    }

    private var set: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }

    /// Blocks the signals in the calling thread and every thread it starts afterwards.
    public func block() {
        var mask = set
        pthread_sigmask(SIG_BLOCK, &mask, nil)
    }

    /// Waits for one of the signals; nil when `timeout` (seconds) passes first.
    public func wait(timeout: Double? = nil) -> Int32? {
        var mask = set
        guard let timeout else {
            var signal: Int32 = 0
            return sigwait(&mask, &signal) == 0 ? signal : nil
        }
        var limit = timespec(tv_sec: Int(timeout), tv_nsec: Int((timeout - timeout.rounded(.down)) * 1e9))
        let signal = sigtimedwait(&mask, nil, &limit)
        return signal > 0 ? signal : nil
    }

    /// A non-blocking descriptor that becomes readable when one of the (blocked) signals arrives.
    public func descriptor() -> FileDescriptor {
        var mask = set
        let fd = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        precondition(fd >= 0, "signalfd failed")
        return FileDescriptor(rawValue: fd)
    }

    /// Takes one pending signal from a `descriptor()`, if any.
    public static func take(from descriptor: FileDescriptor) -> Int32? {
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        return read(descriptor.rawValue, &info, size) == size ? Int32(info.ssi_signo) : nil
    }

    public static let terminate = SIGTERM
    public static let interrupt = SIGINT

    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// A hang-up (a closed terminal, or a `kill -HUP` meant to make a daemon reopen its logs) is
    /// no reason to stop: the service writes its logs to standard error, which it never reopens.
    public static func ignoreHangups() {
        signal(SIGHUP, SIG_IGN)
    }
}
