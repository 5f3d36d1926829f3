import Logging
import Processes
import Synchronization

/// The log of connections refused by the allow-list, shared by the request threads: one line
/// per interval at most, saying how many it left out (the metric counts every one).
final class RefusalLog: Sendable {
    private let gate = Mutex(IntervalGate(interval: 10))
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func note(_ address: String) {
        guard let held = gate.withLock({ $0.admit(now: Clock.monotonic()) }) else { return }
        let more = held > 0 ? " (and \(held) more since the last such line)" : ""
        logger.warning("refused a connection from \(address): not in MEIDUO_LISTEN_ALLOW\(more)")
    }
}
