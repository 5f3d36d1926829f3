import MariaDB

/// The mail queue, `meiduo_outbox`: what the email flow writes.
public enum Outbox {
    public enum BindOutcome: Sendable, Equatable {
        case queued
        /// Too many mails to that address or from that user lately: nothing was written.
        case throttled
    }

    /// Stores `email` as the user's new, unverified address and queues `message` for it, in one
    /// transaction and one round trip (the `meiduo_bind_email` procedure of `sql/`). A zero
    /// `addressInterval` (seconds between mails to one address) or `userHourly` (mails per user
    /// per hour) turns that limit off.
    public static func bind(
        userID: Int64, email: String, messageID: String, message: [UInt8], addressInterval: Int, userHourly: Int,
        on connection: Connection
    ) throws -> BindOutcome {
        do {
            try connection.execute(
                "CALL meiduo_bind_email(?, ?, ?, ?, ?, ?)",
                [.int(userID), .text(email), .text(messageID), .bytes(message), .int(Int64(addressInterval)), .int(Int64(userHourly))])
            return .queued
        } catch let error as MariaDBError where error.sqlState == "45000" && error.message == "throttled" {
            return .throttled
        }
    }
}
