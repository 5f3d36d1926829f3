/// Every metric of the service, described once. Names and units follow Prometheus' conventions.
public enum MetricCatalogue {
    static let requestBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
    ]
    static let sendBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]
    static let deliveryBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        .seconds(300), .seconds(900), .seconds(3600),
    ]

    public static let buildInfo = MetricDescription(
        "meiduo_email_build_info", .gauge, labels: ["version"], help: "The running build: 1, with its version as a label.")

    // Requests (the responder).
    public static let requests = MetricDescription(
        "meiduo_email_http_requests_total", .counter, labels: ["route", "method", "status"],
        help: "Requests answered, by route, method and status.")
    public static let requestDuration = MetricDescription(
        "meiduo_email_http_request_duration_seconds", .histogram(buckets: requestBuckets), labels: ["route"],
        help: "Time from a request's arrival to its answer, by route.")
    public static let mailsQueued = MetricDescription(
        "meiduo_email_mails_queued_total", .counter, help: "Verification mails queued by PUT /emails/ and resends.")
    public static let throttled = MetricDescription(
        "meiduo_email_throttled_total", .counter, labels: ["kind"],
        help: "Requests refused by a throttle: the mail throttle per address or user, the login back-off per account or address.")
    public static let loginFailures = MetricDescription(
        "meiduo_email_login_failures_total", .counter, help: "Failed logins (wrong name or password).")
    public static let connectionsRefused = MetricDescription(
        "meiduo_email_connections_refused_total", .counter,
        help: "FastCGI connections over TCP closed unread because their address is not in MEIDUO_LISTEN_ALLOW.")

    // The database (responder and senders).
    public static let databaseErrors = MetricDescription(
        "meiduo_email_database_errors_total", .counter, labels: ["role"], help: "Database operations that failed, by the process role.")
    public static let databaseReconnects = MetricDescription(
        "meiduo_email_database_reconnects_total", .counter, labels: ["role"],
        help: "Connections to MariaDB opened again after one failed, by the process role.")
    public static let databaseRetries = MetricDescription(
        "meiduo_email_database_retries_total", .counter, labels: ["role", "cause"],
        help: "Database work run again after a conflict, a node that was not ready or a lost connection, by process role and cause.")

    // The shop's session cache (the responder).
    public static let sessionCacheErrors = MetricDescription(
        "meiduo_email_session_cache_errors_total", .counter,
        help: "Reads of the shop's session cache (Redis) that failed: unreachable, timed out or refused.")
    public static let sessionCacheRefused = MetricDescription(
        "meiduo_email_session_cache_refused_total", .counter,
        help: "Sessions in the shop's cache refused as unreadable (a value that is not plain data, malformed or too large).")

    // The queue, read from the database at each scrape (the responder).
    public static let outboxMessages = MetricDescription(
        "meiduo_email_outbox_messages", .gauge, labels: ["status"], help: "Messages in the outbox not sent yet, by status.")
    public static let oldestDueAge = MetricDescription(
        "meiduo_email_outbox_oldest_due_age_seconds", .gauge,
        help: "How long the oldest message due for sending has waited (0 when none).")

    // Delivery (the senders).
    public static let mailsDelivered = MetricDescription(
        "meiduo_email_mails_delivered_total", .counter, help: "Messages the mail server accepted.")
    public static let retries = MetricDescription(
        "meiduo_email_mail_retries_total", .counter, labels: ["reason"], help: "Deliveries that failed and will be tried again, by reason.")
    public static let failures = MetricDescription(
        "meiduo_email_mails_failed_total", .counter, labels: ["reason"], help: "Messages given up on, by reason.")
    public static let sendDuration = MetricDescription(
        "meiduo_email_mail_send_duration_seconds", .histogram(buckets: sendBuckets),
        help: "Time one delivery took (the SMTP transaction, or writing the file).")
    public static let deliveryDelay = MetricDescription(
        "meiduo_email_mail_delivery_delay_seconds", .histogram(buckets: deliveryBuckets),
        help: "Time from a message's queueing to its delivery.")
    public static let outboxPurged = MetricDescription(
        "meiduo_email_outbox_purged_total", .counter, help: "Sent messages deleted after MEIDUO_OUTBOX_RETENTION.")

    // The process tree (the supervisor).
    public static let childRestarts = MetricDescription(
        "meiduo_email_child_restarts_total", .counter, labels: ["role"], help: "Child processes restarted after they ended, by role.")
    public static let childrenUp = MetricDescription(
        "meiduo_email_children_up", .gauge, labels: ["role"], help: "Child processes running, by role.")

    public static let all: [MetricDescription] = [
        buildInfo, requests, requestDuration, mailsQueued, throttled, loginFailures, connectionsRefused, databaseErrors,
        databaseReconnects, databaseRetries,
        sessionCacheErrors, sessionCacheRefused, outboxMessages, oldestDueAge, mailsDelivered, retries, failures, sendDuration,
        deliveryDelay, outboxPurged, childRestarts, childrenUp,
    ]
}
