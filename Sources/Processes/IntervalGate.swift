/// Lets one event through per interval and counts those held back in between, so something
/// that may happen thousands of times a second (a refused connection) is logged a few times a
/// minute and nothing goes uncounted.
public struct IntervalGate: Sendable {
    public let interval: Double
    private var next = -Double.infinity
    private var held = 0

    public init(interval: Double) {
        self.interval = interval
    }

    /// An event at `now` (monotonic seconds): nil when it is held back; when it goes through,
    /// how many were held back since the last one that did.
    public mutating func admit(now: Double) -> Int? {
        guard now >= next else {
            held += 1
            return nil
        }
        next = now + interval
        defer { held = 0 }
        return held
    }
}
