import Instruments
internal import MariaDB

/// When Database runs work again, and after how long: pure decisions, so they can be tested
/// without a server.
public struct DatabaseRetry: Sendable {
    /// Work is run again at most this many times.
    public var retries = 4
    /// The n-th retry waits between half and all of `base` × 2^(n-1) seconds, at most `cap`: a
    /// random pause, so transactions that conflicted do not meet again at once.
    public var base = 0.02
    public var cap = 0.5

    public init() {}

    /// Seconds to wait before retry number `retry` (from 1); `random` is from [0, 1).
    public func delay(before retry: Int, random: Double) -> Double {
        let whole = min(cap, base * Double(1 << min(max(retry - 1, 0), 30)))
        return whole / 2 + whole / 2 * random
    }

    /// The most a request can spend pausing between its attempts.
    public var longestWait: Double { (1...retries).reduce(0) { $0 + delay(before: $1, random: 1) } }

    /// Why a failure with MariaDB's error `code` may be worth another attempt, or nil.
    public static func cause(ofCode code: UInt32) -> DatabaseRetryCause? {
        cause(of: MariaDBError(code: code, message: ""))
    }

    static func cause(of error: MariaDBError) -> DatabaseRetryCause? {
        if error.isDeadlock { return .conflict }
        if error.isLockWaitTimeout { return .lockWait }
        if error.isNodeNotReady || error.isCommitFailure { return .notReady }
        if error.isConnectionFailure { return .connection }
        return nil
    }

    /// Where the failing work stood when it failed.
    public struct Progress: Sendable {
        public enum Kind: Sendable {
            /// `Database.run`: each statement commits on its own.
            case statements
            /// `Database.transaction`; `committing` when the failure came from the COMMIT itself.
            case transaction(committing: Bool)
        }
        public var kind: Kind
        /// Writes of this attempt that completed before the failing round trip.
        public var writesBefore: Int
        /// The failing round trip was a write.
        public var failedOnWrite: Bool
        /// It was the first round trip on a connection opened earlier: a stale connection
        /// fails there before anything reaches the server.
        public var firstOnReusedConnection: Bool
        /// The work is keyed so that running it twice changes nothing more than once.
        public var idempotent: Bool

        public init(kind: Kind, writesBefore: Int = 0, failedOnWrite: Bool = false, firstOnReusedConnection: Bool = false, idempotent: Bool = false) {
            self.kind = kind
            self.writesBefore = writesBefore
            self.failedOnWrite = failedOnWrite
            self.firstOnReusedConnection = firstOnReusedConnection
            self.idempotent = idempotent
        }
    }

    /// Whether work that failed for `cause` may run again as a whole without doing anything twice.
    public static func mayRetry(_ cause: DatabaseRetryCause, _ progress: Progress) -> Bool {
        switch (progress.kind, cause) {
        case (.transaction, .conflict), (.transaction, .lockWait), (.transaction, .notReady):
            // The server rolled it back (or refused it), and so do we.
            return true
        case (.transaction(let committing), .connection):
            // A connection lost before COMMIT takes its transaction with it; lost during COMMIT,
            // it may have committed.
            return !committing || progress.idempotent
        case (.statements, .lockWait):
            // The statement has already waited innodb_lock_wait_timeout: not again.
            return false
        case (.statements, .conflict), (.statements, .notReady):
            // The failed statement did nothing, but those before it committed.
            return progress.writesBefore == 0 || progress.idempotent
        case (.statements, .connection):
            // A write in flight when the connection went may have committed.
            return progress.idempotent
                || (progress.writesBefore == 0 && (!progress.failedOnWrite || progress.firstOnReusedConnection))
        }
    }
}
