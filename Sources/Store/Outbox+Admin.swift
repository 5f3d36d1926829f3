internal import MariaDB

/// What operators see and do: the command line, the metrics and the health check.
extension Outbox {
    /// The mail not yet sent. Sent rows are not counted: that would read the whole table.
    public struct Stats: Sendable {
        /// Messages by state, for the states of `OutboxState.unsent`.
        public var messages: [OutboxState: Int] = [:]
        /// Seconds since the oldest message due for sending became due (0 when none is): how far
        /// behind the senders are.
        public var oldestDueAge: Double = 0
    }

    public struct Entry: Sendable {
        public let id: Int64
        public let status: OutboxState
        public let attempts: Int
        public let recipient: String
        public let createdAt: String
        public let dueAt: String?
        public let lastError: String?
    }

    /// Read through the indexes on `due_at` (every queued or leased row has one) and
    /// `failed_at`, so the sent rows, nearly all of the table, are never visited.
    public static func stats(on connection: Link) throws -> Stats {
        var stats = Stats()
        for row in try connection.query("SELECT status, COUNT(*) FROM meiduo_outbox WHERE due_at IS NOT NULL GROUP BY status") {
            stats.messages[try OutboxState(row: row, column: 0)] = Int(try row.requiredInt(1))
        }
        stats.messages[.failed] = Int(try connection.query("SELECT COUNT(*) FROM meiduo_outbox WHERE failed_at IS NOT NULL").first?.int(0) ?? 0)
        stats.oldestDueAge = try oldestDueAge(on: connection)
        return stats
    }

    /// Sent messages still kept (until the retention deletes them). Reads the whole table: for
    /// an operator's command, not for every scrape.
    public static func sentCount(on connection: Link) throws -> Int {
        Int(try connection.query("SELECT COUNT(*) FROM meiduo_outbox WHERE status = ?", [OutboxState.sent.sql]).first?.int(0) ?? 0)
    }

    /// Seconds since the oldest due message (queued and due, or held under a lease that ended)
    /// became due; 0 when none is. Read through the index on `due_at`.
    public static func oldestDueAge(on connection: Link) throws -> Double {
        let rows = try connection.query("SELECT TIMESTAMPDIFF(MICROSECOND, MIN(due_at), NOW(6)) FROM meiduo_outbox WHERE due_at <= NOW(6)")
        return Double(rows.first?.int(0) ?? 0) / 1_000_000
    }

    public static func list(failedOnly: Bool, limit: Int, on connection: Link) throws -> [Entry] {
        let filter = failedOnly ? "WHERE status = ?" : ""
        return try connection.query(
            """
            SELECT id, status, attempts, recipient, created_at, due_at, last_error FROM meiduo_outbox
            \(filter) ORDER BY id DESC LIMIT ?
            """,
            (failedOnly ? [OutboxState.failed.sql] : []) + [.int(Int64(limit))]
        ).map {
            Entry(
                id: try $0.requiredInt(0), status: try OutboxState(row: $0, column: 1), attempts: Int(try $0.requiredInt(2)),
                recipient: try $0.requiredString(3), createdAt: try $0.requiredString(4), dueAt: $0.string(5), lastError: $0.string(6))
        }
    }

    /// A message that failed for good, as `outbox retry` needs it to write a fresh one.
    public struct Failed: Sendable {
        public let id: Int64
        public let userID: Int64
        public let kind: OutboxKind
        public let recipient: String
    }

    /// The failed messages among `ids` (every one, for nil).
    public static func failed(ids: [Int64]?, on connection: Link) throws -> [Failed] {
        let select = "SELECT id, user_id, kind, recipient FROM meiduo_outbox WHERE status = ?"
        let rows =
            try ids.map { ids in
                try ids.flatMap { try connection.query(select + " AND id = ?", [OutboxState.failed.sql, .int($0)]) }
            } ?? connection.query(select + " ORDER BY id", [OutboxState.failed.sql])
        return try rows.map {
            guard let kind = $0.string(2).flatMap(OutboxKind.init(rawValue:)) else {
                throw MariaDBError(code: MariaDBError.unexpectedRowCode, message: "an outbox kind that is neither verification nor notice")
            }
            return Failed(id: try $0.requiredInt(0), userID: try $0.requiredInt(1), kind: kind, recipient: try $0.requiredString(3))
        }
    }

    /// Puts a failed message back in the queue, due now, as a new message (`messageID`,
    /// `message`: its old body, with its old link, is gone; a verification mail's new `code`),
    /// with its body: both or neither. False when it is no longer failed.
    public static func requeue(
        _ id: Int64, messageID: String, message: [UInt8], code: (hash: [UInt8], lifetime: Int)?, in connection: Transaction
    ) throws -> Bool {
        let updated = try connection.execute(
            """
            UPDATE meiduo_outbox SET status = ?, due_at = NOW(6), failed_at = NULL, attempts = 0, last_error = NULL,
                error_kind = NULL, message_id = ?, message = NULL, code_hash = ?, code_tries = 0,
                code_expires_at = NOW(6) + INTERVAL ? SECOND
            WHERE id = ? AND status = ?
            """,
            [
                OutboxState.queued.sql, .text(messageID), code.map { .bytes($0.hash) } ?? .null, .int(Int64(code?.lifetime ?? 0)), .int(id),
                OutboxState.failed.sql,
            ])
        guard updated > 0 else { return false }
        try connection.execute(
            "INSERT INTO meiduo_outbox_bodies (id, message) VALUES (?, ?) ON DUPLICATE KEY UPDATE message = VALUES(message)",
            [.int(id), .bytes(message)])
        return true
    }

    /// Deletes sent messages older than `seconds`, `batch` rows per statement (each its own
    /// transaction, on a connection that commits as it goes) so no lock is held for long.
    /// Failed messages stay until an operator acts. Answers how many went.
    public static func purgeSent(olderThan seconds: Int, batch: Int = 500, on connection: Link) throws -> Int {
        // Ids grow with created_at (up to a transaction's length) and a message is sent after it
        // was created, so past the first row created after the cutoff hardly anything can be old
        // enough: each DELETE stops there instead of reading the rest of the table (a million
        // rows, once a minute) for more. A row out of that order waits for a later sweep.
        let bound =
            try connection.query(
                "SELECT id FROM meiduo_outbox WHERE created_at >= NOW(6) - INTERVAL ? SECOND ORDER BY id LIMIT 1", [.int(Int64(seconds))]
            ).first?.int(0) ?? Int64.max
        var total = 0
        while true {
            let deleted = try connection.execute(
                """
                DELETE FROM meiduo_outbox WHERE id < ? AND status = ? AND sent_at < NOW(6) - INTERVAL ? SECOND
                ORDER BY id LIMIT ?
                """,
                [.int(bound), OutboxState.sent.sql, .int(Int64(seconds)), .int(Int64(batch))])
            total += deleted
            if deleted < batch { return total }
        }
    }
}
