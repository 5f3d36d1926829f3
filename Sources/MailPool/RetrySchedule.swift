import Settings

/// When to try a message again: the tutorial's Celery task (`retry_backoff=3`,
/// `max_retries=3`): the n-th retry waits `base × 2^(n-1)` seconds (3, 6, 12), optionally spread
/// by ± `jitter` of itself, and after `maxRetries` retries the message has failed.
public struct RetrySchedule: Sendable, Equatable {
    public var base: Double
    public var maxRetries: Int
    /// 0 for none; 0.2 spreads each delay over ±20 %.
    public var jitter: Double

    public init(base: Double = 3, maxRetries: Int = 3, jitter: Double = 0) {
        self.base = base
        self.maxRetries = maxRetries
        self.jitter = jitter
    }

    public init(_ settings: DeliverySettings) {
        self.init(base: settings.retryBase, maxRetries: settings.maxRetries, jitter: settings.retryJitter)
    }

    /// The wait before the next attempt after attempt `attempt` (counting from 1) failed for a
    /// reason that may pass; nil when no retry is left. `spread` in -1...1 picks the jitter.
    public func delay(afterFailedAttempt attempt: Int, spread: Double = .random(in: -1...1)) -> Double? {
        guard attempt >= 1, attempt <= maxRetries else { return nil }
        let delay = base * Double(1 << min(attempt - 1, 30))
        return max(0, delay * (1 + jitter * spread))
    }
}
