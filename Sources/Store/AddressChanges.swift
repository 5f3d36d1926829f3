internal import MariaDB

/// Replacements of a verified address (`meiduo_address_changes`), written by the bind with the
/// notice to the old address, whose "this wasn't me" link names one by the digest of its id.
public enum AddressChanges {
    public struct Change: Sendable, Equatable {
        public let id: Int64
        public let oldEmail: String
        public let newEmail: String
    }

    /// Where an undo link stands.
    public enum State: Sendable, Equatable {
        /// It may be undone.
        case live(Change)
        /// No such change of that user.
        case unknown
        /// Undone already.
        case used(Change)
        /// A verified address of the user has been replaced again since.
        case superseded(Change)
    }

    /// The state of the user's change named by `digest`; in a transaction, the user's row and
    /// the change's are locked until it ends.
    public static func state(userID: Int64, digest: [UInt8], on connection: Link) throws -> State {
        try state(userID: userID, digest: digest, lock: "", connection)
    }

    /// Restores the change's old address as the user's verified one, when the change is live:
    /// drops the pending address and the unsent verification mail, forgets the sessions'
    /// password confirmations, and, with `endingSessions`, ends the user's sessions of the
    /// service. Answers the state it found.
    public static func undo(userID: Int64, digest: [UInt8], endingSessions: Bool, in transaction: Transaction) throws -> State {
        let connection = transaction.link
        // The user's row first, in the order the bind locks it.
        _ = try connection.query("SELECT id FROM tb_users WHERE id = ? FOR UPDATE", [.int(userID)])
        let found = try state(userID: userID, digest: digest, lock: " FOR UPDATE", connection)
        guard case .live(let change) = found else { return found }
        try connection.execute(
            "UPDATE tb_users SET email = ?, email_active = 1 WHERE id = ?", [.text(change.oldEmail), .int(userID)])
        try connection.execute("DELETE FROM meiduo_pending_emails WHERE user_id = ?", [.int(userID)])
        try connection.execute(
            """
            DELETE o, b FROM meiduo_outbox AS o LEFT JOIN meiduo_outbox_bodies AS b ON b.id = o.id
            WHERE o.user_id = ? AND o.kind = ? AND o.status IN (?, ?)
            """, [.int(userID), OutboxKind.verification.sql, OutboxState.queued.sql, OutboxState.sending.sql])
        try connection.execute("UPDATE meiduo_address_changes SET undone_at = NOW(6) WHERE id = ?", [.int(change.id)])
        try PasswordConfirmations.forget(userID: userID, on: connection)
        if endingSessions { try Sessions.deleteAll(userID: userID, on: connection) }
        return found
    }

    /// The user's newest change, unless it was undone.
    public static func latest(userID: Int64, on connection: Link) throws -> Change? {
        try connection.query(
            """
            SELECT id, old_email, new_email, undone_at IS NOT NULL FROM meiduo_address_changes
            WHERE user_id = ? ORDER BY id DESC LIMIT 1
            """, [.int(userID)]
        ).first.flatMap { row in
            row.bool(3) ? nil : Change(id: try row.requiredInt(0), oldEmail: try row.requiredString(1), newEmail: try row.requiredString(2))
        }
    }

    /// Names the change by a new link's id (its notice written afresh); the old link stops working.
    public static func repoint(_ id: Int64, digest: [UInt8], in transaction: Transaction) throws {
        try transaction.link.execute("UPDATE meiduo_address_changes SET token_digest = ? WHERE id = ?", [.bytes(digest), .int(id)])
    }

    private static func state(userID: Int64, digest: [UInt8], lock: String, _ connection: Link) throws -> State {
        guard
            let row = try connection.query(
                """
                SELECT c.id, c.old_email, c.new_email, c.undone_at IS NOT NULL,
                       (SELECT MAX(later.id) FROM meiduo_address_changes AS later WHERE later.user_id = c.user_id) > c.id
                FROM meiduo_address_changes AS c WHERE c.token_digest = ? AND c.user_id = ?
                """ + lock, [.bytes(digest), .int(userID)]
            ).first
        else { return .unknown }
        let change = Change(id: try row.requiredInt(0), oldEmail: try row.requiredString(1), newEmail: try row.requiredString(2))
        if row.bool(3) { return .used(change) }
        if row.bool(4) { return .superseded(change) }
        return .live(change)
    }
}
