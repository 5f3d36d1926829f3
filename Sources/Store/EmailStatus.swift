internal import MariaDB

/// Where a user's address stands and what became of its newest verification mail, read in one
/// round trip (`meiduo_email_status`).
public struct EmailStatus: Sendable, Equatable {
    public struct Mail: Sendable, Equatable {
        public let status: OutboxState
        public let attempts: Int
        /// Unix seconds.
        public let sentAt: Int64?
        /// When it is tried next (queued) or its lease ends (sending), Unix seconds.
        public let dueAt: Int64?
        public let failure: Outbox.FailureKind?
    }

    public let email: String
    public let emailActive: Bool
    /// The address waiting to replace a verified one (EMAIL_RECONFIRMABLE).
    public let pendingEmail: String?
    /// The newest verification mail to the address being verified (the pending one if any).
    public let mail: Mail?
    /// Seconds until the throttle lets another mail go to that address.
    public let retryAfter: Int

    public static func read(userID: Int64, addressInterval: Int, userHourly: Int, addressHourly: Int, on connection: Link) throws -> EmailStatus? {
        guard
            let row = try connection.call(
                "CALL meiduo_email_status(?, ?, ?, ?)",
                [.int(userID), .int(Int64(addressInterval)), .int(Int64(userHourly)), .int(Int64(addressHourly))]
            ).first
        else { return nil }
        let mail =
            try row.isNull(3)
            ? nil
            : Mail(
                status: OutboxState(row: row, column: 3), attempts: Int(try row.requiredInt(4)), sentAt: row.int(5), dueAt: row.int(6),
                failure: row.string(7).flatMap(Outbox.FailureKind.init(rawValue:)))
        return EmailStatus(
            email: try row.requiredString(0), emailActive: row.bool(1), pendingEmail: row.string(2), mail: mail,
            retryAfter: Int(try row.requiredInt(8)))
    }
}
