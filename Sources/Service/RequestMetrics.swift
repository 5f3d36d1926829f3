import CoreMetrics
import Instruments
import Processes

/// Request counts by route, method and status, and durations by route, for one request
/// thread: handles are made once per label set and kept here, so recording takes no lock.
final class RequestMetrics {
    private struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private var counters: [Key: Counter] = [:]
    private var timers: [String: CoreMetrics.Timer] = [:]

    /// `route` is the routing table's path, or `other` for paths it does not know (so a client
    /// cannot make new series by asking for new paths).
    func record(route: String, method: String, status: Int, since start: Double) {
        let key = Key(route: route, method: method, status: status)
        let counter =
            counters[key]
            ?? {
                let made = Counter(MetricCatalogue.requests, route, method, String(status))
                counters[key] = made
                return made
            }()
        counter.increment()
        let timer =
            timers[route]
            ?? {
                let made = CoreMetrics.Timer(MetricCatalogue.requestDuration, route)
                timers[route] = made
                return made
            }()
        timer.recordNanoseconds(Int64((Clock.monotonic() - start) * 1e9))
    }
}
