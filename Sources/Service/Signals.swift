import Glibc

/// Signals a process handles synchronously: blocked in every thread (before threads start, so
/// they inherit the mask) and taken one at a time by `wait`.
struct Signals {
    private var set = sigset_t()

    init(_ signals: [Int32]) {
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
    }

    /// Blocks the signals in the calling thread and every thread it starts afterwards.
    func block() {
        var mask = set
        pthread_sigmask(SIG_BLOCK, &mask, nil)
    }

    /// Waits for one of the signals; nil when `timeout` (seconds) passes first.
    func wait(timeout: Double? = nil) -> Int32? {
        var mask = set
        guard let timeout else {
            var signal: Int32 = 0
            return sigwait(&mask, &signal) == 0 ? signal : nil
        }
        var limit = timespec(tv_sec: Int(timeout), tv_nsec: Int((timeout - timeout.rounded(.down)) * 1e9))
        let signal = sigtimedwait(&mask, nil, &limit)
        return signal > 0 ? signal : nil
    }

    static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }
}
