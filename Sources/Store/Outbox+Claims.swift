internal import MariaDB

/// What a sender does with the queue: take the rows handed to it or claim due ones under a
/// lease, then record each outcome.
extension Outbox {
    public struct ClaimedMail: Sendable {
        public let id: Int64
        public let recipient: String
        public let messageID: String
        public let message: [UInt8]
        /// The attempt this claim is, counting from 1.
        public let attempt: Int
        /// The claim it is held under: a sender's batch, or the responder's that handed it over.
        public let claim: Int64
        /// The request that queued it (for log lines that lead back to it).
        public let requestID: String?
        /// Seconds since it was queued, when it was claimed (the database's clock).
        public let ageAtClaim: Double
        /// Seconds of its lease left when it was claimed (the database's clock).
        public let leaseLeft: Double

        public init(
            id: Int64, recipient: String, messageID: String, message: [UInt8], attempt: Int, claim: Int64, requestID: String?,
            ageAtClaim: Double, leaseLeft: Double
        ) {
            self.id = id
            self.recipient = recipient
            self.messageID = messageID
            self.message = message
            self.attempt = attempt
            self.claim = claim
            self.requestID = requestID
            self.ageAtClaim = ageAtClaim
            self.leaseLeft = leaseLeft
        }

        /// From a row of `mailQuery`: held as it is (a hand-over), or `claimedNow` by this
        /// sender, which makes it the next attempt under a new claim and lease.
        fileprivate init(_ row: Row, claimedNow: (claim: Int64, leaseSeconds: Double)?) throws {
            id = try row.requiredInt(0)
            recipient = try row.requiredString(1)
            messageID = try row.requiredString(2)
            message = try row.requiredBytes(3)
            let attempts = Int(try row.requiredInt(4))
            attempt = claimedNow == nil ? attempts : attempts + 1
            claim = try claimedNow?.claim ?? row.requiredInt(5)
            requestID = row.string(6)
            ageAtClaim = Double(row.int(7) ?? 0) / 1_000_000
            leaseLeft = claimedNow?.leaseSeconds ?? Double(row.int(8) ?? 0) / 1_000_000
        }
    }

    /// What kind of failure a delivery met: what the user is told and the metrics count.
    public enum FailureKind: String, Sendable, CaseIterable {
        /// The receiving server refused the address for good (a 5xx reply).
        case refused
        /// A 4xx reply: the server asked to try later.
        case temporary
        /// The server could not be reached, or the connection broke.
        case connection
        case timeout
        /// Anything else: TLS, our AUTH, a full disk.
        case other
    }

    public enum Outcome: Sendable {
        case sent
        case retry(afterSeconds: Double, error: String, kind: FailureKind)
        case failed(error: String, kind: FailureKind)
        /// Not tried (the sender is stopping): back to the queue, the attempt not counted.
        case released
    }

    /// Takes up to `limit` due rows (queued and due, or claimed by a sender whose lease ran out)
    /// for `leaseSeconds`. `SKIP LOCKED` lets any number of senders, on any number of hosts,
    /// claim at once without ever taking the same row.
    public static func claim(limit: Int, leaseSeconds: Double, in connection: Transaction) throws -> [ClaimedMail] {
        let claim = Int64.random(in: 1...Int64.max)
        let rows = try connection.query(
            mailQuery + " WHERE o.due_at <= NOW(6) ORDER BY o.due_at, o.id LIMIT ? FOR UPDATE SKIP LOCKED", [.int(Int64(limit))])
        guard !rows.isEmpty else { return [] }
        try connection.execute(
            """
            UPDATE meiduo_outbox SET status = ?, attempts = attempts + 1, claim = ?,
                due_at = NOW(6) + INTERVAL ? MICROSECOND WHERE id IN (\(placeholders(rows.count)))
            """,
            [OutboxState.sending.sql, .int(claim), .int(microseconds(leaseSeconds))] + rows.map { .int($0.int(0) ?? 0) })
        return try rows.map { try ClaimedMail($0, claimedNow: (claim, leaseSeconds)) }
    }

    /// The mails of hand-over records (see `Handover`) still held under the claim they were
    /// handed over with; a record whose lease ended and was claimed by another sender meanwhile
    /// answers nothing. Reads only: the lease was taken when the row was inserted. A causal
    /// read: the responder may have committed the row through another node a moment ago.
    public static func take(_ handed: [Handover.Record], on connection: Link) throws -> [ClaimedMail] {
        guard !handed.isEmpty else { return [] }
        let rows = try connection.causalQuery(
            mailQuery + " WHERE o.status = ? AND o.id IN (\(placeholders(handed.count)))",
            [OutboxState.sending.sql] + handed.map { .int($0.id) })
        let claims = Dictionary(handed.map { ($0.id, $0.claim) }, uniquingKeysWith: { first, _ in first })
        return try rows.filter { claims[$0.int(0) ?? 0] == $0.int(5) }.map { try ClaimedMail($0, claimedNow: nil) }
    }

    /// A mail as a sender reads it, its body wherever it is kept; the columns `ClaimedMail(_:claimedNow:)` reads.
    private static let mailQuery = """
        SELECT o.id, o.recipient, o.message_id, COALESCE(b.message, o.message), o.attempts, o.claim, o.request_id,
            TIMESTAMPDIFF(MICROSECOND, o.created_at, NOW(6)), TIMESTAMPDIFF(MICROSECOND, NOW(6), o.due_at)
        FROM meiduo_outbox AS o LEFT JOIN meiduo_outbox_bodies AS b ON b.id = o.id
        """

    /// Puts a mail held under `claim` and not tried back in the queue, due now: a hand-over
    /// that could not be made, or was read by a sender that is stopping. Answers whether it was
    /// still held.
    @discardableResult
    public static func release(_ id: Int64, claim: Int64, on connection: Link) throws -> Bool {
        try connection.execute(
            "UPDATE meiduo_outbox SET status = ?, attempts = attempts - 1, due_at = NOW(6) WHERE id = ? AND claim = ? AND status = ?",
            [OutboxState.queued.sql, .int(id), .int(claim), OutboxState.sending.sql]) == 1
    }

    /// Extends the lease of claimed messages by `leaseSeconds` from now; answers the ids still
    /// under their claim (another sender may have taken a message whose lease had ended).
    public static func renew(_ mails: [ClaimedMail], leaseSeconds: Double, in connection: Transaction) throws -> Set<Int64> {
        var kept = Set<Int64>()
        for (claim, ids) in idsByClaim(mails) {
            try connection.execute(
                "UPDATE meiduo_outbox SET due_at = NOW(6) + INTERVAL ? MICROSECOND WHERE claim = ? AND id IN (\(placeholders(ids.count)))",
                [.int(microseconds(leaseSeconds)), .int(claim)] + ids)
            let rows = try connection.query(
                "SELECT id FROM meiduo_outbox WHERE claim = ? AND id IN (\(placeholders(ids.count)))", [.int(claim)] + ids)
            kept.formUnion(try rows.map { try $0.requiredInt(0) })
        }
        return kept
    }

    /// Records outcomes. Each update applies only to rows still under the claim they were
    /// taken in, so a sender whose lease ran out cannot overwrite a newer claim; the sent rows
    /// of a claim are marked by one statement, and their bodies deleted by another (a row
    /// queued before sql/0008 has its body in the row, dropped by the first).
    public static func record(_ outcomes: [(ClaimedMail, Outcome)], in connection: Transaction) throws {
        var sent: [ClaimedMail] = []
        for (mail, outcome) in outcomes {
            let claim: [SQLValue] = [.int(mail.id), .int(mail.claim)]
            switch outcome {
            case .sent:
                sent.append(mail)
            case .retry(let delay, let error, let kind):
                try connection.execute(
                    """
                    UPDATE meiduo_outbox SET status = ?, due_at = NOW(6) + INTERVAL ? MICROSECOND, last_error = ?,
                        error_kind = ?
                    WHERE id = ? AND claim = ?
                    """, [OutboxState.queued.sql, .int(microseconds(delay)), .text(truncated(error)), .text(kind.rawValue)] + claim)
            case .failed(let error, let kind):
                // The body holds a live verification link: it goes with the last chance of sending
                // it (`outbox retry` writes a fresh message).
                let failed = try connection.execute(
                    """
                    UPDATE meiduo_outbox SET status = ?, due_at = NULL, failed_at = NOW(6), last_error = ?, error_kind = ?,
                        message = NULL
                    WHERE id = ? AND claim = ?
                    """,
                    [OutboxState.failed.sql, .text(truncated(error)), .text(kind.rawValue)] + claim)
                if failed > 0 { try connection.execute("DELETE FROM meiduo_outbox_bodies WHERE id = ?", [.int(mail.id)]) }
            case .released:
                try connection.execute(
                    """
                    UPDATE meiduo_outbox SET status = ?, due_at = NOW(6), attempts = attempts - 1
                    WHERE id = ? AND claim = ?
                    """, [OutboxState.queued.sql] + claim)
            }
        }
        var marked: [SQLValue] = []
        for (claim, ids) in idsByClaim(sent) {
            let updated = try connection.execute(
                """
                UPDATE meiduo_outbox SET status = ?, sent_at = NOW(6), due_at = NULL, last_error = NULL, message = NULL
                WHERE claim = ? AND id IN (\(placeholders(ids.count)))
                """, [OutboxState.sent.sql, .int(claim)] + ids)
            // Only what this claim still held: a row another sender took meanwhile needs its body.
            marked +=
                updated == ids.count
                ? ids
                : try connection.query(
                    "SELECT id FROM meiduo_outbox WHERE claim = ? AND status = ? AND id IN (\(placeholders(ids.count)))",
                    [.int(claim), OutboxState.sent.sql] + ids
                ).map { .int(try $0.requiredInt(0)) }
        }
        if !marked.isEmpty {
            try connection.execute("DELETE FROM meiduo_outbox_bodies WHERE id IN (\(placeholders(marked.count)))", marked)
        }
    }

    /// The ids of `mails` grouped by the claim they are held under, each group in a stable order.
    static func idsByClaim(_ mails: [ClaimedMail]) -> [(claim: Int64, ids: [SQLValue])] {
        var groups: [Int64: [SQLValue]] = [:]
        var order: [Int64] = []
        for mail in mails {
            if groups[mail.claim] == nil { order.append(mail.claim) }
            groups[mail.claim, default: []].append(.int(mail.id))
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// `?, ?, …` for an `IN` list; each length is its own prepared statement, cached like any other.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    static func microseconds(_ seconds: Double) -> Int64 {
        Int64((seconds * 1_000_000).rounded())
    }

    /// `last_error` holds 1000 characters.
    static func truncated(_ error: String) -> String {
        error.count <= 1000 ? error : String(error.prefix(997)) + "..."
    }
}
