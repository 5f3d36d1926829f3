import CoreMetrics
import Processes

// The handles each kind of process records with, made once its metrics system is bootstrapped
// (`Telemetry.start`) and passed to whatever records: every series of the role exists from zero.

/// What a process that uses the database records about it.
public struct DatabaseInstruments: Sendable {
    public let errors: Counter
    public let reconnects: Counter
    /// One per cause, made at once so every series exists from zero.
    private let retries: [DatabaseRetryCause: Counter]

    public init(role: ProcessRole) {
        errors = Counter(MetricCatalogue.databaseErrors, role.rawValue)
        reconnects = Counter(MetricCatalogue.databaseReconnects, role.rawValue)
        retries = Dictionary(
            uniqueKeysWithValues: DatabaseRetryCause.allCases.map { ($0, Counter(MetricCatalogue.databaseRetries, role.rawValue, $0.rawValue)) })
    }

    public func retried(_ cause: DatabaseRetryCause) {
        retries[cause]?.increment()
    }
}

public struct ResponderInstruments: Sendable {
    public let database = DatabaseInstruments(role: .responder)
    public let mailsQueued = Counter(MetricCatalogue.mailsQueued)
    public let throttled = Family<ThrottleKind, Counter>(MetricCatalogue.throttled)
    public let loginFailures = Counter(MetricCatalogue.loginFailures)
    public let sessionCacheErrors = Counter(MetricCatalogue.sessionCacheErrors)
    public let sessionCacheRefused = Counter(MetricCatalogue.sessionCacheRefused)
    public let oldestDueAge = Gauge(MetricCatalogue.oldestDueAge)
    public let connectionsRefused = Counter(MetricCatalogue.connectionsRefused)

    /// Records the build it runs.
    public init(version: String) {
        Gauge(MetricCatalogue.buildInfo, version).record(1)
    }
}

public struct SenderInstruments: Sendable {
    public let database = DatabaseInstruments(role: .sender)
    public let mailsDelivered = Counter(MetricCatalogue.mailsDelivered)
    public let retries = Family<RetryReason, Counter>(MetricCatalogue.retries)
    public let failures = Family<FailureReason, Counter>(MetricCatalogue.failures)
    public let sendDuration = CoreMetrics.Timer(MetricCatalogue.sendDuration)
    public let deliveryDelay = CoreMetrics.Timer(MetricCatalogue.deliveryDelay)
    public let outboxPurged = Counter(MetricCatalogue.outboxPurged)

    public init() {}
}

public struct SupervisorInstruments: Sendable {
    public let childRestarts = Family<ProcessRole, Counter>(MetricCatalogue.childRestarts, values: ProcessRole.children)
    public let childrenUp = Family<ProcessRole, Gauge>(MetricCatalogue.childrenUp, values: ProcessRole.children)

    public init() {}
}
