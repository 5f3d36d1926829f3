import Logging

/// The queue's protocol, both of its sides in one place: the responder binds an address and
/// hands the new mail to the senders through the pipe (`Handover`), or queues it and rings;
/// a sender takes what was handed to it, claims due mail under a lease, renews the lease,
/// records the outcomes and gives back what it will not try. Every step that must be atomic
/// with another runs in one transaction here, so a retry on a conflict has one home.
public struct MailQueue {
    static let logger = Logger(label: "responder")
    let database: Database
    /// The pipe from the responder to the senders; nil where there is none (the mail then
    /// waits in the queue for `serve`).
    public let handover: Handover?
    /// Whether new mail may be handed over: false where this instance runs no senders, whose
    /// mail is claimed from the queue (they are still rung).
    private let handsOver: Bool

    public init(database: Database, handover: Handover?, handsOver: Bool = true) {
        self.database = database
        self.handover = handover
        self.handsOver = handsOver
    }

    // MARK: The responder's side

    /// Stores the binding and queues its mail in one transaction. While the senders keep up,
    /// the mail is inserted leased under `claim` and its id passed to them, so no sender has to
    /// claim it; otherwise it waits in the queue (refused while the queue is more than the
    /// binding's `maxQueueLag` behind) and they are rung.
    public func bind(_ binding: Outbox.Binding, claim: Int64, leaseSeconds: Double) throws -> Outbox.BindOutcome {
        var binding = binding
        binding.lease = handover.flatMap { handsOver && $0.hasRoom ? Outbox.Lease(claim: claim, seconds: leaseSeconds) : nil }
        // Handed over, the mail does not wait behind the queue; and the senders are keeping up.
        // The check reads the oldest entries of the due_at index, where delivered rows leave
        // delete-marked entries behind until purge catches up: cheap idle, costly under load.
        if binding.lease != nil { binding.maxQueueLag = 0 }
        // Keyed by the request id: run again after a lost connection, it answers the first run's mail.
        let outcome = try database.run(idempotent: true) { try Outbox.bind(binding, on: $0) }
        if case .queued(let id, _, let handedOver) = outcome, let handover {
            if handedOver, let lease = binding.lease, !handover.pass(Handover.Record(id: id, claim: lease.claim)) {
                // The pipe filled between the check and the commit: back to the queue, due now.
                // Should even that fail, the row goes out when its lease ends.
                do {
                    _ = try database.run(idempotent: true) { try Outbox.release(id, claim: lease.claim, on: $0) }
                } catch {
                    Self.logger.warning(
                        "mail \(id) could not be handed to a sender nor put back in the queue; it goes out in \(lease.seconds)s: \(error)")
                }
                handover.pass(.ring)
            } else if !handedOver || binding.notice != nil {
                handover.pass(.ring)
            }
        }
        return outcome
    }

    // MARK: The senders' side

    /// Up to `count` records from the pipe, without waiting.
    public func receive(upTo count: Int) -> [Handover.Record] {
        handover?.receive(upTo: count) ?? []
    }

    /// Records `outcomes` and reads the next batch: the mails of the `handed` records still
    /// held under their claim, and, with `claimingUpTo`, as many due mails claimed for
    /// `leaseSeconds`. Hand-overs alone, with nothing to record, are one read and no transaction.
    public func exchange(
        recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)], taking handed: [Handover.Record], claimingUpTo limit: Int?,
        leaseSeconds: Double
    ) throws -> (taken: [Outbox.ClaimedMail], claimed: [Outbox.ClaimedMail]) {
        if outcomes.isEmpty && limit == nil {
            return (try database.run { try Outbox.take(handed, on: $0) }, [])
        }
        return try database.transaction { transaction in
            try Outbox.record(outcomes, in: transaction)
            let taken = try Outbox.take(handed, on: transaction.link)
            guard let limit else { return (taken, []) }
            return (taken, try Outbox.claim(limit: limit, leaseSeconds: leaseSeconds, in: transaction))
        }
    }

    /// Records `outcomes` and extends the lease of `mails` by `leaseSeconds` from now; answers
    /// the ids still under their claim.
    public func renew(
        _ mails: [Outbox.ClaimedMail], leaseSeconds: Double, recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)]
    ) throws -> Set<Int64> {
        try database.transaction { transaction in
            try Outbox.record(outcomes, in: transaction)
            return try Outbox.renew(mails, leaseSeconds: leaseSeconds, in: transaction)
        }
    }

    /// When a sender stops: records `outcomes`, and puts back in the queue, due now, the
    /// `handed` mails it read and did not try.
    public func giveBack(recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)], releasing handed: [Handover.Record]) throws {
        guard !outcomes.isEmpty || !handed.isEmpty else { return }
        try database.transaction { transaction in
            try Outbox.record(outcomes, in: transaction)
            for record in handed {
                try Outbox.release(record.id, claim: record.claim, on: transaction.link)
            }
        }
    }

    /// Deletes sent mail older than `seconds`, a small batch per statement.
    public func purgeSent(olderThan seconds: Int) throws -> Int {
        try database.run { try Outbox.purgeSent(olderThan: seconds, on: $0) }
    }
}
