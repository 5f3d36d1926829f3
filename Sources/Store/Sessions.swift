import MariaDB

/// Rows of `meiduo_sessions`, addressed by the digest of the session id, never the id itself.
public enum Sessions {
    public static func create(digest: [UInt8], userID: Int64, lifetime: Int, on connection: Connection) throws {
        try connection.execute(
            """
            INSERT INTO meiduo_sessions (id_digest, user_id, created_at, expires_at)
            VALUES (?, ?, NOW(6), NOW(6) + INTERVAL ? SECOND)
            """,
            [.bytes(digest), .int(userID), .int(Int64(lifetime))])
    }

    /// The active user the live session belongs to.
    public static func user(digest: [UInt8], on connection: Connection) throws -> User? {
        let rows = try connection.query(
            """
            SELECT \(User.columns) FROM meiduo_sessions s JOIN tb_users u ON u.id = s.user_id
            WHERE s.id_digest = ? AND s.expires_at > NOW(6) AND u.is_active = 1
            """,
            [.bytes(digest)])
        return try rows.first.map { try User(row: $0) }
    }

    public static func delete(digest: [UInt8], on connection: Connection) throws {
        try connection.execute("DELETE FROM meiduo_sessions WHERE id_digest = ?", [.bytes(digest)])
    }

    /// Removes a bounded batch of expired rows, so the table does not grow without a cron job.
    public static func purgeExpired(on connection: Connection) throws {
        try connection.execute("DELETE FROM meiduo_sessions WHERE expires_at <= NOW(6) LIMIT 100")
    }
}
