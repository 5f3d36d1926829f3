internal import MariaDB

/// The states a mail in the outbox (`meiduo_outbox.status`) can be in. Queued (waiting, due at
/// `due_at`), sending (held under a claim until its lease ends), then sent or failed for good.
public enum OutboxState: String, Sendable, CaseIterable {
    case queued, sending, sent, failed

    /// The states of mail not sent yet, which the metrics count.
    public static let unsent: [OutboxState] = [.queued, .sending, .failed]

    var sql: SQLValue { .text(rawValue) }

    init(row: Row, column: Int) throws {
        guard let state = row.string(column).flatMap(OutboxState.init(rawValue:)) else {
            throw MariaDBError(code: MariaDBError.unexpectedRowCode, message: "an outbox status that is none of \(Self.allCases)")
        }
        self = state
    }
}

/// What an outbox row is (`meiduo_outbox.kind`).
public enum OutboxKind: String, Sendable {
    /// The link to verify an address.
    case verification
    /// The notice to a verified address that a change was asked for.
    case notice

    var sql: SQLValue { .text(rawValue) }
}
