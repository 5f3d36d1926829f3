import MariaDB

/// The mail queue, `meiduo_outbox`: what the email flow writes.
public enum Outbox {
    /// Verification mails recently queued for a user and for an address, for the throttle.
    public struct RecentMail: Sendable {
        public let byUser: Int
        public let toAddress: Int
    }

    public static func recentMail(userID: Int64, userWindow: Int, recipient: String, addressWindow: Int, on connection: Connection) throws -> RecentMail {
        let row = try connection.query(
            """
            SELECT
                (SELECT COUNT(*) FROM meiduo_outbox WHERE user_id = ? AND created_at > NOW(6) - INTERVAL ? SECOND),
                (SELECT COUNT(*) FROM meiduo_outbox WHERE recipient = ? AND created_at > NOW(6) - INTERVAL ? SECOND)
            """,
            [.int(userID), .int(Int64(userWindow)), .text(recipient), .int(Int64(addressWindow))])[0]
        return RecentMail(byUser: Int(row.int(0) ?? 0), toAddress: Int(row.int(1) ?? 0))
    }

    /// Queues a complete message for the senders; answers the row id.
    @discardableResult
    public static func queue(userID: Int64, recipient: String, messageID: String, message: [UInt8], on connection: Connection) throws -> Int64 {
        try connection.insert(
            """
            INSERT INTO meiduo_outbox (user_id, recipient, message_id, message, status, attempts, due_at, created_at)
            VALUES (?, ?, ?, ?, 'queued', 0, NOW(6), NOW(6))
            """,
            [.int(userID), .text(recipient), .text(messageID), .bytes(message)])
    }
}
