import CoreMetrics
import HTTP
import Instruments
import OpenSSL
import Processes
import Settings
import Store
import Telemetry

/// The operators' endpoints, for loopback only (nginx/meiduo-email-ops.conf): the metrics of the
/// whole process tree in Prometheus' text format, and a health check for load balancers,
/// systemd and containers.
final class OpsController {
    static let metricsPath = "/meiduo-email/metrics"
    static let healthPath = "/meiduo-email/health"
    /// Above this, the queue is too far behind to call the service healthy (the alert's threshold).
    static let maximumDueAge = 300.0

    private let database: Database
    private let cache: SessionCache?
    private let telemetry: Telemetry
    private let senders: Int
    private let token: [UInt8]?
    private let instruments: ResponderInstruments
    /// Read from the database at each scrape.
    private let outboxMessages = Family<OutboxState, Gauge>(MetricCatalogue.outboxMessages, values: OutboxState.unsent)

    init(database: Database, cache: SessionCache?, telemetry: Telemetry, instruments: ResponderInstruments, settings: Settings) {
        self.database = database
        self.instruments = instruments
        self.cache = cache
        self.telemetry = telemetry
        senders = settings.delivery.workers
        token = settings.responder.metricsToken.map { Array("Bearer \($0)".utf8) }
    }

    /// Only through the operators' nginx location, and with the bearer token when one is set.
    private func admit(_ request: Request) throws {
        guard request.throughOpsLocation else { throw HTTPError.notFound() }
        if let token, !ConstantTime.equals(Array((request.authorization ?? "").utf8), token) {
            throw HTTPError(.unauthorized, code: .notAllowed, "需要令牌", headers: [("WWW-Authenticate", "Bearer")])
        }
    }

    func metrics(_ request: Request) throws -> Response {
        try admit(request)
        let stats = try database.run { try Outbox.stats(on: $0) }
        for state in OutboxState.unsent {
            outboxMessages[state].record(stats.messages[state] ?? 0)
        }
        instruments.oldestDueAge.record(stats.oldestDueAge)
        return Response(status: .ok, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: telemetry.scrape())
    }

    /// 200 when the database (and the shop's Redis, for the cache session engines) answers, every
    /// sender runs and the queue is not far behind; 503 naming what is wrong otherwise.
    func health(_ request: Request) throws -> Response {
        try admit(request)
        var problems: [String] = []
        var age: Double?
        do {
            age = try database.run { try Outbox.oldestDueAge(on: $0) }
        } catch {
            problems.append("database unreachable")
        }
        var cacheAnswers: Bool?
        if let cache {
            cacheAnswers = (try? cache.ping()) != nil
            if cacheAnswers == false { problems.append("session cache (Redis) unreachable") }
        }
        let alive = Int(telemetry.snapshots().value(MetricCatalogue.childrenUp.series([ProcessRole.sender.rawValue])) ?? 0)
        if alive < senders { problems.append("\(alive) of \(senders) senders running") }
        if let age, age > Self.maximumDueAge { problems.append("oldest due message waiting \(Int(age)) s") }
        let body = JSONWriter.object([
            ("status", .string(problems.isEmpty ? "ok" : "failing")),
            ("database", .bool(age != nil)),
            ("session_cache", cacheAnswers.map { .bool($0) } ?? .null),
            ("senders_running", .int(Int64(alive))),
            ("senders_expected", .int(Int64(senders))),
            ("oldest_due_age_seconds", age.map { .int(Int64($0.rounded(.down))) } ?? .null),
            ("problems", .string(problems.joined(separator: "; "))),
        ])
        return Response(status: problems.isEmpty ? .ok : .serviceUnavailable, headers: [("Content-Type", "application/json")], body: body)
    }
}
