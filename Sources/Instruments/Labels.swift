/// Why a request was refused by a throttle (`meiduo_email_throttled_total`'s `kind`).
public enum ThrottleKind: String, Sendable, CaseIterable {
    /// The verification mail: one per address per interval, or the address's hourly cap.
    case address
    /// The verification mail: so many per user per hour.
    case user
    /// New mail refused while the queue is too far behind.
    case queue
    /// The login back-off, by the account's (or the device's) failures, or the address's.
    case loginAccount = "login_account"
    case loginAddress = "login_address"
}

/// Why a delivery will be tried again (`meiduo_email_mail_retries_total`'s `reason`).
public enum RetryReason: String, Sendable, CaseIterable {
    case smtpTemporary = "smtp_temporary"
    case connection, timeout, other
}

/// Why a message was given up on (`meiduo_email_mails_failed_total`'s `reason`).
public enum FailureReason: String, Sendable, CaseIterable {
    /// The receiving server refused it for good.
    case smtpPermanent = "smtp_permanent"
    case retriesExhausted = "retries_exhausted"
    /// Claimed more often than it may be tried: senders died holding it.
    case abandoned
}

/// Why a database transaction or statement was run again (`meiduo_email_database_retries_total`'s
/// `cause`).
public enum DatabaseRetryCause: String, Sendable, CaseIterable {
    /// ER_LOCK_DEADLOCK: a deadlock, or on Galera a certification conflict with a transaction
    /// committed on another node.
    case conflict
    /// ER_LOCK_WAIT_TIMEOUT.
    case lockWait = "lock_wait"
    /// A Galera node outside the primary component refused it (ER_UNKNOWN_COM_ERROR) or its
    /// COMMIT (ER_ERROR_DURING_COMMIT).
    case notReady = "not_ready"
    /// The connection was lost before anything was committed: run again on the next node.
    case connection
}
