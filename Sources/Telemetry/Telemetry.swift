import CoreMetrics
import Instruments
import Processes
import Prometheus

/// Metrics of the whole process tree in one scrape. Every process records into its own
/// Prometheus registry (through swift-metrics, `Instruments`) and publishes a snapshot of it
/// into a folder of the service's (`SocketSettings.metricsDirectory`); the responder answers a scrape with its live
/// registry merged with the others' snapshots. When a child dies, the supervisor folds its last
/// snapshot's counters and histograms into `retired`, so a restarted child's figures carry on
/// where its predecessor's stopped: nothing lost, nothing counted twice.
public final class Telemetry: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let directory: String
    private let slot: String

    static let retired = "retired"

    /// Bootstraps swift-metrics for this process (once) and answers its exporter; the process
    /// makes its instruments after this. `slot` names its snapshot: `supervisor`, `responder`,
    /// `sender-1`, …
    public static func start(slot: String, directory: String) -> Telemetry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        for metric in MetricCatalogue.all {
            if case .histogram(let buckets) = metric.kind { factory.durationHistogramBuckets[metric.name] = buckets }
        }
        MetricsSystem.bootstrap(factory)
        return Telemetry(registry: registry, directory: directory, slot: slot)
    }

    static let help = Dictionary(uniqueKeysWithValues: MetricCatalogue.all.map { ($0.name, $0.help) })

    /// An exporter of `registry` (which swift-metrics does not record into unless `start` made it).
    public init(registry: PrometheusCollectorRegistry, directory: String, slot: String) {
        self.registry = registry
        self.directory = directory
        self.slot = slot
    }

    /// Makes the folder fresh (snapshots of an earlier run are not this run's), owned by
    /// `owner` when the service is about to become that user.
    public static func prepare(directory: String, owner: SystemAccounts.Account?) throws {
        try PrivateDirectory.prepare(directory, owner: owner)
    }

    /// Writes this process's snapshot (whole, atomically).
    public func publish() {
        try? AtomicFile.write(registry.emitToBuffer(), to: path(slot), temporary: path(".\(slot).\(CurrentProcess.id)"))
    }

    /// The scrape: this process's live figures, the other processes' snapshots and the
    /// retired ones, merged, with help texts.
    public func scrape() -> [UInt8] {
        var merged = Exposition()
        merged.add(registry.emitToBuffer())
        for name in AtomicFile.names(in: directory) where !name.hasPrefix(".") && name != slot {
            if let text = AtomicFile.read(path(name)) { merged.add(text) }
        }
        return merged.rendered(help: Self.help)
    }

    /// The merged figures without this process's live ones (for health checks on the others').
    public func snapshots() -> Exposition {
        var merged = Exposition()
        for name in AtomicFile.names(in: directory) where !name.hasPrefix(".") {
            if let text = AtomicFile.read(path(name)) { merged.add(text) }
        }
        return merged
    }

    /// For the supervisor, when the child publishing `slot` has ended: its counters and
    /// histograms go into `retired`, and its snapshot is removed.
    public func retire(_ slot: String) {
        guard let last = AtomicFile.read(path(slot)) else { return }
        var retired = Exposition()
        if let earlier = AtomicFile.read(path(Self.retired)) { retired.add(earlier) }
        retired.add(last, kinds: [.counter, .histogram])
        try? AtomicFile.write(retired.rendered(help: [:]), to: path(Self.retired), temporary: path(".\(Self.retired).\(CurrentProcess.id)"))
        AtomicFile.remove(path(slot))
    }

    private func path(_ name: String) -> String { "\(directory)/\(name)" }
}
