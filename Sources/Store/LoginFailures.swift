import MariaDB

/// Failed logins per account and per client address (`meiduo_login_failures`), kept in the
/// database so every thread and instance sees the same count. Subjects are SHA-256 digests:
/// the table holds no login name and no address.
public enum LoginFailures {
    public enum Scope: String, Sendable {
        case account, address
    }

    /// How many failures each subject had within the last `window` seconds, and, for each,
    /// how many seconds ago its oldest one within the window was made.
    public static func recent(
        account: [UInt8], address: [UInt8], window: Int, on connection: Connection
    ) throws -> [Scope: (count: Int, oldestAge: Int)] {
        var counts: [Scope: (count: Int, oldestAge: Int)] = [:]
        for row in try connection.query(
            """
            SELECT scope, COUNT(*), TIMESTAMPDIFF(SECOND, MIN(failed_at), NOW(6)) FROM meiduo_login_failures
            WHERE ((scope = 'account' AND subject = ?) OR (scope = 'address' AND subject = ?))
                AND failed_at > NOW(6) - INTERVAL ? SECOND
            GROUP BY scope
            """,
            [.bytes(account), .bytes(address), .int(Int64(window))])
        {
            guard let scope = Scope(rawValue: try row.requiredString(0)) else { continue }
            counts[scope] = (Int(try row.requiredInt(1)), Int(try row.requiredInt(2)))
        }
        return counts
    }

    /// Seconds until the `limit`-th most recent failure of a subject leaves the window, that
    /// is, until it may try again.
    public static func wait(scope: Scope, subject: [UInt8], limit: Int, window: Int, on connection: Connection) throws -> Int {
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

    /// Records one failure for both subjects, and drops a bounded batch of those older than
    /// `window`, so the table needs no cron job.
    public static func record(account: [UInt8], address: [UInt8], window: Int, on connection: Connection) throws {
        try connection.execute(
            "INSERT INTO meiduo_login_failures (scope, subject, failed_at) VALUES ('account', ?, NOW(6)), ('address', ?, NOW(6))",
            [.bytes(account), .bytes(address)])
        try connection.execute(
            "DELETE FROM meiduo_login_failures WHERE failed_at < NOW(6) - INTERVAL ? SECOND LIMIT 100", [.int(Int64(window))])
    }

    /// A successful login forgets the account's failures (not the address's).
    public static func clear(account: [UInt8], on connection: Connection) throws {
        try connection.execute("DELETE FROM meiduo_login_failures WHERE scope = 'account' AND subject = ?", [.bytes(account)])
    }
}
