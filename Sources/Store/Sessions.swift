internal import MariaDB

/// Rows of `meiduo_sessions`, addressed by the digest of the session id, never the id itself.
/// Each row keeps the session auth hash of the password it was started under.
public enum Sessions {
    public struct Live: Sendable {
        public let user: User
        public let passwordHash: String
        /// The session auth hash stored at login (empty for a row from before it was kept).
        public let authHash: [UInt8]
    }

    public static func create(digest: [UInt8], userID: Int64, authHash: [UInt8], lifetime: Int, on connection: Link) throws {
        try connection.execute(
            """
            INSERT INTO meiduo_sessions (id_digest, user_id, created_at, expires_at, auth_hash)
            VALUES (?, ?, NOW(6), NOW(6) + INTERVAL ? SECOND, ?)
            """,
            [.bytes(digest), .int(userID), .int(Int64(lifetime)), .bytes(authHash)])
    }

    /// The live session's active user, with what the caller needs to check the password binding.
    /// A causal read: the session may have been started through another node a moment ago.
    public static func live(digest: [UInt8], on connection: Link) throws -> Live? {
        let rows = try connection.causalQuery(
            """
            SELECT \(User.columns), u.password, s.auth_hash FROM meiduo_sessions s JOIN tb_users u ON u.id = s.user_id
            WHERE s.id_digest = ? AND s.expires_at > NOW(6) AND u.is_active = 1
            """,
            [.bytes(digest)])
        return try rows.first.map {
            Live(user: try User(row: $0), passwordHash: try $0.requiredString(5), authHash: $0.bytes(6) ?? [])
        }
    }

    public static func delete(digest: [UInt8], on connection: Link) throws {
        try connection.execute("DELETE FROM meiduo_sessions WHERE id_digest = ?", [.bytes(digest)])
    }

    /// Ends every session of a user (after a password change).
    @discardableResult
    public static func deleteAll(userID: Int64, on connection: Link) throws -> Int {
        try connection.execute("DELETE FROM meiduo_sessions WHERE user_id = ?", [.int(userID)])
    }

    /// Removes a bounded batch of expired rows, so the table does not grow without a cron job.
    public static func purgeExpired(on connection: Link) throws {
        try connection.execute("DELETE FROM meiduo_sessions WHERE expires_at <= NOW(6) LIMIT 100")
    }
}
