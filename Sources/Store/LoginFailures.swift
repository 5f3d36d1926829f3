internal import MariaDB

/// Failed logins per account, per client address and per known device
/// (`meiduo_login_failures`), kept in the database so every thread and instance sees the same
/// count. Subjects are SHA-256 digests: the table holds no login name and no address.
public enum LoginFailures {
    public enum Scope: String, Sendable {
        case account, address, device
        /// Wrong verification codes, per user.
        case code
    }

    /// Records an attempt against `subject` before its password is checked, committed at once
    /// so that every later attempt counts it; answers its id.
    public static func enter(scope: Scope, subject: [UInt8], on connection: Link) throws -> Int64 {
        try connection.insert(
            "INSERT INTO meiduo_login_failures (scope, subject, failed_at) VALUES (?, ?, NOW(6))", [.text(scope.rawValue), .bytes(subject)])
    }

    /// Where the attempt `id` stands among its subject's within the last `window` seconds: 1
    /// for the oldest. Attempts made at the same moment get different places, so no more of
    /// them than the limit pass however many run in parallel.
    public static func place(of id: Int64, scope: Scope, subject: [UInt8], window: Int, on connection: Link) throws -> Int {
        Int(
            try connection.query(
                """
                SELECT COUNT(*) FROM meiduo_login_failures
                WHERE scope = ? AND subject = ? AND failed_at > NOW(6) - INTERVAL ? SECOND AND id <= ?
                """,
                [.text(scope.rawValue), .bytes(subject), .int(Int64(window)), .int(id)]
            ).first?.requiredInt(0) ?? 0)
    }

    /// Seconds until the `limit`-th most recent failure of a subject leaves the window, that
    /// is, until it may try again.
    public static func wait(scope: Scope, subject: [UInt8], limit: Int, window: Int, on connection: Link) throws -> Int {
        let rows = try connection.query(
            """
            SELECT TIMESTAMPDIFF(MICROSECOND, failed_at, NOW(6)) FROM meiduo_login_failures
            WHERE scope = ? AND subject = ? AND failed_at > NOW(6) - INTERVAL ? SECOND
            ORDER BY failed_at DESC LIMIT 1 OFFSET ?
            """,
            [.text(scope.rawValue), .bytes(subject), .int(Int64(window)), .int(Int64(max(limit - 1, 0)))])
        guard let age = try rows.first?.requiredInt(0) else { return 0 }
        return max(1, window - Int(age / 1_000_000))
    }

    /// Forgets attempts that turned out not to be failures (refused before checking, or right),
    /// and drops a bounded batch of rows older than `window`, so the table needs no cron job.
    public static func remove(_ ids: [Int64], window: Int, on connection: Link) throws {
        for id in ids {
            try connection.execute("DELETE FROM meiduo_login_failures WHERE id = ?", [.int(id)])
        }
        try connection.execute(
            "DELETE FROM meiduo_login_failures WHERE failed_at < NOW(6) - INTERVAL ? SECOND LIMIT 100", [.int(Int64(window))])
    }

    /// A successful login forgets the failures of the account or device it came through.
    public static func clear(scope: Scope, subject: [UInt8], on connection: Link) throws {
        try connection.execute("DELETE FROM meiduo_login_failures WHERE scope = ? AND subject = ?", [.text(scope.rawValue), .bytes(subject)])
    }
}
