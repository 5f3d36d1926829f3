/// Help texts and histogram buckets of the service's metrics (their names are `Instruments`').
enum Catalogue {
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

    static let help: [String: String] = [
        "meiduo_email_build_info": "The running build: 1, with its version as a label.",
        "meiduo_email_http_requests_total": "Requests answered, by route, method and status.",
        "meiduo_email_http_request_duration_seconds": "Time from a request's arrival to its answer, by route.",
        "meiduo_email_mails_queued_total": "Verification mails queued by PUT /emails/ and resends.",
        "meiduo_email_throttled_total": "Requests refused by a throttle: the mail throttle per address or user, the login back-off per account or address.",
        "meiduo_email_login_failures_total": "Failed logins (wrong name or password).",
        "meiduo_email_database_errors_total": "Database operations that failed, by the process role.",
        "meiduo_email_database_reconnects_total": "Connections to MariaDB opened again after one failed, by the process role.",
        "meiduo_email_session_cache_errors_total": "Reads of the shop's session cache (Redis) that failed: unreachable, timed out or refused.",
        "meiduo_email_session_cache_refused_total": "Sessions in the shop's cache refused as unreadable (a value that is not plain data, malformed or too large).",
        "meiduo_email_outbox_messages": "Messages in the outbox not sent yet, by status.",
        "meiduo_email_outbox_oldest_due_age_seconds": "How long the oldest message due for sending has waited (0 when none).",
        "meiduo_email_mails_delivered_total": "Messages the mail server accepted.",
        "meiduo_email_mail_retries_total": "Deliveries that failed and will be tried again, by reason.",
        "meiduo_email_mails_failed_total": "Messages given up on, by reason.",
        "meiduo_email_mail_send_duration_seconds": "Time one delivery took (the SMTP transaction, or writing the file).",
        "meiduo_email_mail_delivery_delay_seconds": "Time from a message's queueing to its delivery.",
        "meiduo_email_outbox_purged_total": "Sent messages deleted after MEIDUO_OUTBOX_RETENTION.",
        "meiduo_email_child_restarts_total": "Child processes restarted after they ended, by role.",
        "meiduo_email_children_up": "Child processes running, by role.",
    ]
}
