import EmailCore
import Curl
import Instruments
import Logging
import MariaDB
import Processes
import Settings
import Store
import Telemetry

/// One mail-sender child: takes the mails the responder hands over through the pipe (inserted
/// already leased, so there is nothing to claim) and claims due ones from the queue under a
/// lease (retries, and whatever was not handed over), delivers them, and records the outcomes
/// together with the next batch's reading: one commit per batch. On SIGTERM it finishes the
/// message in hand, gives back the rest and what it read from the pipe, and exits 0.
public final class Sender {
    private let settings: DeliverySettings
    private let retry: RetrySchedule
    private let database: Database
    private let transport: MailTransport
    private let handover: Handover?
    private let signals: FileDescriptor
    private let telemetry: Telemetry
    /// The first sender of a service also deletes old sent mail.
    private let sweepsRetention: Bool
    private let retention: Int
    private var lastPublished = 0.0
    private var lastSweep = 0.0
    private let logger = Logger(label: "sender")
    /// Whole recipient addresses in the log only at debug level; masked otherwise.
    private let logsAddresses: Bool
    /// Outcomes not yet written (the database may be away); kept until they are.
    private var unrecorded: [(Outbox.ClaimedMail, Outbox.Outcome)] = []
    /// Hand-overs read from the pipe and not yet taken.
    private var handed: [Handover.Record] = []
    /// Whether the next batch also claims from the queue: at the start (mail a stopped sender
    /// left), after a ring, after a poll interval without one, after a claim that came back full.
    private var lookInQueue = true
    private var stopping = false
    private var databaseReachable = true

    /// How often at most a busy sender writes its figures, and how often the first one deletes
    /// sent mail past its retention.
    static let publishInterval = 0.25
    static let sweepInterval = 60.0

    /// `handover` is the pipe from the responder; `number` counts from 1.
    public init(settings: Settings, handover: Handover?, telemetry: Telemetry, number: Int) throws {
        // Requests come first: under load a sender gets the CPU the responder leaves, and the
        // queue absorbs the difference.
        CurrentProcess.setNiceness(Int32(settings.delivery.niceness))
        let signals = Signals([Signals.terminate, Signals.interrupt])
        signals.block()
        Signals.ignoreBrokenPipes()
        self.signals = signals.descriptor()
        MariaDBLibrary.initialize()
        CurlLibrary.initialize()
        self.settings = settings.delivery
        logsAddresses = settings.logLevel == .debug
        retry = RetrySchedule(settings.delivery)
        database = Database(settings.database)
        self.handover = handover
        self.telemetry = telemetry
        sweepsRetention = number == 1
        retention = settings.outboxRetention
        transport = try settings.delivery.transport.makeTransport(envelopeSender: settings.mail.from.address)
    }

    public func run() -> Int32 {
        logger.info("sender ready", metadata: ["pid": "\(CurrentProcess.id)"])
        while !stopping {
            sweepRetention()
            if handed.isEmpty && !lookInQueue && unrecorded.isEmpty {
                publish(now: true)
                waitForWork()
                continue
            }
            // Taken before reading, so a lease as counted here ends no later than the database's.
            let readAt = Clock.monotonic()
            let batch: [Outbox.ClaimedMail]
            do {
                batch = try nextBatch()
                noteDatabase(reachable: true, nil)
            } catch {
                noteDatabase(reachable: false, error)
                _ = FileDescriptor.poll([signals], timeout: settings.pollInterval)
                takeSignals()
                continue
            }
            deliver(batch, readAt: readAt)
            publish(now: false)
            receive()
        }
        receive(all: true)
        if !giveBack() {
            logger.warning("stopping with \(unrecorded.count + handed.count) messages unrecorded; they go out again after their lease")
        }
        publish(now: true)
        logger.info("sender stopped")
        return 0
    }

    /// Records the outcomes so far and reads the next batch: the hand-overs read from the pipe,
    /// and due mail claimed from the queue when there is reason to look. A batch of hand-overs
    /// alone, with nothing to record, is one read and no transaction.
    private func nextBatch() throws -> [Outbox.ClaimedMail] {
        let records = handed, claiming = lookInQueue, outcomes = unrecorded
        let (batch, claimed): ([Outbox.ClaimedMail], Int)
        if outcomes.isEmpty && !claiming {
            (batch, claimed) = (try database.run { try Outbox.take(records, on: $0) }, 0)
        } else {
            (batch, claimed) = try database.transaction { connection in
                try Outbox.record(outcomes, on: connection)
                let taken = try Outbox.take(records, on: connection)
                guard claiming else { return (taken, 0) }
                let due = try Outbox.claim(limit: settings.batchSize, leaseSeconds: settings.leaseSeconds, on: connection)
                return (taken + due, due.count)
            }
        }
        unrecorded = []
        handed = []
        lookInQueue = claiming && claimed == settings.batchSize
        return batch
    }

    /// Sleeps until the responder hands something over or rings, a signal comes, or the poll
    /// interval passes (retries may have come due: look in the queue).
    private func waitForWork() {
        let ready = FileDescriptor.poll([signals] + (handover.map { [$0.pipe] } ?? []), timeout: settings.pollInterval)
        takeSignals()
        if !ready.contains(true) {
            lookInQueue = true
        } else if ready.count > 1, ready[1] {
            receive()
        }
    }

    /// Reads what the pipe holds, up to a batch (all of it when stopping); another sender
    /// woken by the same write may have read it first.
    private func receive(all: Bool = false) {
        guard let handover else { return }
        while true {
            let records = handover.receive(upTo: settings.batchSize)
            for record in records {
                if record.isRing { lookInQueue = true } else { handed.append(record) }
            }
            if !all || records.isEmpty { return }
        }
    }

    /// When stopping: writes the outcomes, and puts back in the queue, due now, what was read
    /// and not tried. False while the database is unreachable.
    private func giveBack() -> Bool {
        guard !unrecorded.isEmpty || !handed.isEmpty else { return true }
        do {
            try database.transaction { connection in
                try Outbox.record(unrecorded, on: connection)
                for record in handed {
                    try Outbox.release(record.id, claim: record.claim, on: connection)
                }
            }
            unrecorded = []
            handed = []
            return true
        } catch {
            noteDatabase(reachable: false, error)
            return false
        }
    }

    private func publish(now force: Bool) {
        let time = Clock.monotonic()
        guard force || time - lastPublished >= Self.publishInterval else { return }
        lastPublished = time
        telemetry.publish()
    }

    /// Deletes sent mail older than MEIDUO_OUTBOX_RETENTION, a small batch per statement.
    private func sweepRetention() {
        let time = Clock.monotonic()
        guard sweepsRetention, time - lastSweep >= Self.sweepInterval else { return }
        lastSweep = time
        do {
            let purged = try database.run { try Outbox.purgeSent(olderThan: retention, on: $0) }
            Instruments.outboxPurged.increment(by: purged)
            if purged > 0 { logger.info("deleted \(purged) sent messages older than the retention") }
        } catch {
            noteDatabase(reachable: false, error)
        }
    }

    /// Sends a batch one message at a time. A message is started only while its lease has room
    /// for its longest transaction and the recording of its outcome; otherwise the leases of
    /// what is left are renewed first (committing the outcomes so far with them), so no other
    /// sender can take a message this one is still sending.
    private func deliver(_ batch: [Outbox.ClaimedMail], readAt: Double) {
        var remaining = batch[...]
        var leaseEnds = Dictionary(batch.map { ($0.id, readAt + $0.leaseLeft) }, uniquingKeysWith: min)
        var renewed = false
        while let mail = remaining.first {
            takeSignals()
            if stopping {
                unrecorded += remaining.map { ($0, .released) }
                return
            }
            // Just renewed, the whole lease is there: the settings make it long enough for one message.
            if !renewed && Clock.monotonic() + messageBudget > leaseEnds[mail.id] ?? 0 {
                let renewedAt = Clock.monotonic()
                guard let kept = renewLease(Array(remaining)) else {
                    logger.warning("cannot renew the lease of \(remaining.count) messages; they go back to the queue when it ends")
                    return
                }
                remaining = remaining.filter { kept.contains($0.id) }
                for id in kept { leaseEnds[id] = renewedAt + settings.leaseSeconds }
                renewed = true
                continue
            }
            renewed = false
            remaining = remaining.dropFirst()
            unrecorded.append((mail, outcome(of: mail, readAt: readAt)))
        }
    }

    /// The longest one message may take, plus the margin to record its outcome in time.
    private var messageBudget: Double {
        let timeout = if case .smtp(let smtp) = settings.transport { smtp.timeout } else { 0.0 }
        return timeout + DeliverySettings.leaseMargin
    }

    /// Renews the lease of `mails` and records the outcomes gathered so far; answers the ids
    /// still under this sender's claim (nil when the database could not be reached).
    private func renewLease(_ mails: [Outbox.ClaimedMail]) -> Set<Int64>? {
        do {
            let kept = try database.transaction { connection in
                try Outbox.record(unrecorded, on: connection)
                return try Outbox.renew(mails, leaseSeconds: settings.leaseSeconds, on: connection)
            }
            unrecorded = []
            return kept
        } catch {
            noteDatabase(reachable: false, error)
            return nil
        }
    }

    private func outcome(of mail: Outbox.ClaimedMail, readAt: Double) -> Outbox.Outcome {
        var about: Logger.Metadata = [
            "outbox": "\(mail.id)", "message_id": "\(mail.messageID)",
            "to": "\(logsAddresses ? mail.recipient : MailAddress.masked(mail.recipient))", "attempt": "\(mail.attempt)",
        ]
        if let request = mail.requestID { about["request_id"] = "\(request)" }
        // Claimed more often than it may be tried: senders died holding it.
        guard mail.attempt <= retry.maxRetries + 1 else {
            logger.error("failed: claimed \(mail.attempt) times without an outcome", metadata: about)
            Instruments.failures["abandoned"]?.increment()
            return .failed(error: "gave up after \(mail.attempt - 1) claims ended without an outcome", kind: .other)
        }
        let started = Clock.monotonic()
        do {
            try transport.deliver(mail)
            let done = Clock.monotonic()
            Instruments.sendDuration.recordNanoseconds(Int64((done - started) * 1e9))
            Instruments.deliveryDelay.recordNanoseconds(Int64((mail.ageAtClaim + done - readAt) * 1e9))
            Instruments.mailsDelivered.increment()
            logger.info("sent", metadata: about)
            return .sent
        } catch {
            Instruments.sendDuration.recordNanoseconds(Int64((Clock.monotonic() - started) * 1e9))
            if error.isPermanent {
                logger.error("failed: refused for good: \(error.message)", metadata: about)
                Instruments.failures["smtp_permanent"]?.increment()
                return .failed(error: error.message, kind: error.kind)
            }
            guard let delay = retry.delay(afterFailedAttempt: mail.attempt) else {
                logger.error("failed after \(mail.attempt) attempts: \(error.message)", metadata: about)
                Instruments.failures["retries_exhausted"]?.increment()
                return .failed(error: error.message, kind: error.kind)
            }
            logger.warning("retrying in \(delay)s: \(error.message)", metadata: about)
            Instruments.retries[Self.retryReason(error.kind)]?.increment()
            return .retry(afterSeconds: delay, error: error.message, kind: error.kind)
        }
    }

    /// The metrics' name for why a delivery will be tried again.
    static func retryReason(_ kind: Outbox.FailureKind) -> String {
        switch kind {
        case .temporary: "smtp_temporary"
        case .connection: "connection"
        case .timeout: "timeout"
        case .refused, .other: "other"
        }
    }

    /// Logs only when the database starts or stops failing, so an outage is two lines, not one a second.
    private func noteDatabase(reachable: Bool, _ error: (any Error)?) {
        guard reachable != databaseReachable else { return }
        databaseReachable = reachable
        if let error {
            logger.error("database failing, will keep trying: \(error)")
        } else {
            logger.info("database working again")
        }
    }

    private func takeSignals() {
        while Signals.take(from: signals) != nil {
            if !stopping { logger.info("sender stopping: finishing the message in hand") }
            stopping = true
        }
    }
}
