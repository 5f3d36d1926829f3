internal import MariaDB

/// Sessions that confirmed the password lately (`meiduo_password_confirmations`), by a digest
/// of the session key: the service remembers it itself, so a shop's session is never written.
/// `meiduo_queue_address` reads them.
public enum PasswordConfirmations {
    /// Marks the session confirmed now, and forgets the user's confirmations older than `window`.
    public static func record(sessionDigest: [UInt8], userID: Int64, window: Int, on connection: Link) throws {
        try connection.execute(
            """
            INSERT INTO meiduo_password_confirmations (session_digest, user_id, confirmed_at) VALUES (?, ?, NOW(6))
            ON DUPLICATE KEY UPDATE user_id = VALUES(user_id), confirmed_at = VALUES(confirmed_at)
            """, [.bytes(sessionDigest), .int(userID)])
        try connection.execute(
            "DELETE FROM meiduo_password_confirmations WHERE user_id = ? AND confirmed_at < NOW(6) - INTERVAL ? SECOND",
            [.int(userID), .int(Int64(window))])
    }

    /// Forgets every confirmation of the user's sessions.
    public static func forget(userID: Int64, on connection: Link) throws {
        try connection.execute("DELETE FROM meiduo_password_confirmations WHERE user_id = ?", [.int(userID)])
    }
}
