import CoreMetrics

/// The service's metrics, named once, recorded through swift-metrics (the factory behind them,
/// and the exposition, are `Telemetry`'s). Handles are made on first use, after the process
/// bootstrapped its metrics system; the label values each process can record are made at
/// start-up (`prepare`), so every series exists from zero and an alert on `increase()` sees
/// the first event. Names and units follow Prometheus' conventions.
public enum Instruments {
    /// Which process of the tree this is: the `role` label of what more than one kind records.
    public enum Role: String, Sendable, CaseIterable {
        case supervisor, responder, sender
    }

    nonisolated(unsafe) public private(set) static var role = Role.responder

    /// Records what this process is; once, at start-up, before any thread or handle exists.
    public static func start(as role: Role) {
        Self.role = role
        prepare()
    }

    // Requests (the responder).
    public static let requests = "meiduo_email_http_requests_total"
    public static let requestDuration = "meiduo_email_http_request_duration_seconds"
    public static let mailsQueued = Counter(label: "meiduo_email_mails_queued_total")
    /// kind: address, user (the verification-mail throttle), queue (mail refused while the queue
    /// is too far behind), login_account, login_address.
    public static let throttled = labelled(
        Counter.self, "meiduo_email_throttled_total", "kind", ["address", "user", "queue", "login_account", "login_address"])
    public static let loginFailures = Counter(label: "meiduo_email_login_failures_total")

    // The database (responder and senders).
    public static let databaseErrors = labelled(Counter.self, "meiduo_email_database_errors_total", "role", ["responder", "sender"])
    public static let databaseReconnects = labelled(Counter.self, "meiduo_email_database_reconnects_total", "role", ["responder", "sender"])

    // The shop's session cache (the responder).
    public static let sessionCacheErrors = Counter(label: "meiduo_email_session_cache_errors_total")
    public static let sessionCacheRefused = Counter(label: "meiduo_email_session_cache_refused_total")

    // Delivery (the senders).
    public static let mailsDelivered = Counter(label: "meiduo_email_mails_delivered_total")
    /// reason: smtp_temporary, connection, timeout, other.
    public static let retries = labelled(Counter.self, "meiduo_email_mail_retries_total", "reason", ["smtp_temporary", "connection", "timeout", "other"])
    /// reason: smtp_permanent, retries_exhausted, abandoned.
    public static let failures = labelled(Counter.self, "meiduo_email_mails_failed_total", "reason", ["smtp_permanent", "retries_exhausted", "abandoned"])
    public static let sendDuration = CoreMetrics.Timer(label: "meiduo_email_mail_send_duration_seconds")
    /// From the outbox row's creation to the server's acceptance.
    public static let deliveryDelay = CoreMetrics.Timer(label: "meiduo_email_mail_delivery_delay_seconds")
    public static let outboxPurged = Counter(label: "meiduo_email_outbox_purged_total")

    // The process tree (the supervisor).
    public static let childRestarts = labelled(Counter.self, "meiduo_email_child_restarts_total", "role", ["responder", "sender"])
    public static let childrenUp = labelled(Gauge.self, "meiduo_email_children_up", "role", ["responder", "sender"])

    // The queue, read from the database at each scrape (the responder).
    public static let outboxMessages = labelled(Gauge.self, "meiduo_email_outbox_messages", "status", ["queued", "sending", "failed"])
    public static let oldestDueAge = Gauge(label: "meiduo_email_outbox_oldest_due_age_seconds")
    public static let buildInfo = "meiduo_email_build_info"

    /// Makes the series this role records, at zero.
    private static func prepare() {
        switch role {
        case .supervisor:
            _ = (childRestarts, childrenUp)
        case .responder:
            _ = (mailsQueued, throttled, loginFailures, databaseErrors[role.rawValue], databaseReconnects[role.rawValue])
            _ = (outboxMessages, oldestDueAge, sessionCacheErrors, sessionCacheRefused)
        case .sender:
            _ = (mailsDelivered, retries, failures, sendDuration, deliveryDelay, outboxPurged)
            _ = (databaseErrors[role.rawValue], databaseReconnects[role.rawValue])
        }
    }

    /// One handle per value of the label, all made at once.
    private static func labelled<M>(_ type: M.Type, _ name: String, _ label: String, _ values: [String]) -> [String: M]
    where M: LabelledMetric {
        Dictionary(uniqueKeysWithValues: values.map { ($0, M(label: name, dimensions: [(label, $0)])) })
    }
}

/// The swift-metrics types made by label and dimensions.
public protocol LabelledMetric {
    init(label: String, dimensions: [(String, String)])
}

extension Counter: LabelledMetric {}
extension Gauge: LabelledMetric {}
