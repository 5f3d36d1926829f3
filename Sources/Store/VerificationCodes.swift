internal import MariaDB

/// The 6-digit codes of verification mails: each row of `meiduo_outbox` of kind verification
/// keeps its code's keyed hash, expiry and the wrong tries spent on it. Only the newest mail to
/// the address waiting to be verified counts.
public enum VerificationCodes {
    /// The address waiting to be verified and the code of its newest mail.
    public struct Waiting: Sendable {
        public let outboxID: Int64
        public let email: String
        /// The mail's Message-ID, one of what the code's hash is bound to.
        public let messageID: String
        public let codeHash: [UInt8]
        public let tries: Int
        /// Not past its expiry.
        public let live: Bool
        /// It waits beside a verified address (EMAIL_RECONFIRMABLE).
        public let pending: Bool
    }

    /// In the transaction, with the user's row locked (as the bind locks it): the newest mail
    /// with a code to the address the user has waiting (the pending one, or the current one
    /// while it is unverified); nil when there is none.
    public static func waiting(userID: Int64, in transaction: Transaction) throws -> Waiting? {
        let connection = transaction.link
        guard
            let user = try connection.query(
                """
                SELECT u.email, u.email_active, p.email FROM tb_users AS u
                LEFT JOIN meiduo_pending_emails AS p ON p.user_id = u.id WHERE u.id = ? FOR UPDATE
                """, [.int(userID)]
            ).first
        else { return nil }
        let pending = user.string(2)
        guard let email = pending ?? (user.bool(1) ? nil : user.string(0)), !email.isEmpty else { return nil }
        guard
            let row = try connection.query(
                """
                SELECT id, message_id, code_hash, code_tries, code_expires_at > NOW(6) FROM meiduo_outbox
                WHERE user_id = ? AND kind = ? AND BINARY recipient = ? ORDER BY id DESC LIMIT 1 FOR UPDATE
                """, [.int(userID), OutboxKind.verification.sql, .text(email)]
            ).first,
            let hash = row.bytes(2)
        else { return nil }
        return Waiting(
            outboxID: try row.requiredInt(0), email: email, messageID: try row.requiredString(1), codeHash: hash,
            tries: Int(try row.requiredInt(3)), live: row.bool(4), pending: pending != nil)
    }

    /// Counts a wrong try against the mail's code.
    public static func spendTry(outboxID: Int64, in transaction: Transaction) throws {
        try transaction.link.execute("UPDATE meiduo_outbox SET code_tries = code_tries + 1 WHERE id = ?", [.int(outboxID)])
    }

    /// Verifies the waiting address, as the link does: marks it verified, or swaps the pending
    /// one in.
    public static func verify(_ waiting: Waiting, userID: Int64, in transaction: Transaction) throws -> Bool {
        waiting.pending
            ? try Users.activatePendingEmail(userID: userID, email: waiting.email, in: transaction)
            : try Users.activateEmail(userID: userID, email: waiting.email, on: transaction.link)
    }
}
