import Curl
import Instruments
import Logging
import MariaDB
import Processes
import Settings
import Store
import Telemetry

/// One mail-sender child: claims due messages from the outbox under a lease, delivers them,
/// records each outcome, and sleeps until the responder rings or a retry comes due. On
/// SIGTERM it finishes the message in hand, gives the rest of its claim back, and exits 0.
public final class Sender {
    private let settings: DeliverySettings
    private let retry: RetrySchedule
    private let database: Database
    private let transport: MailTransport
    private let wake: FileDescriptor?
    private let signals: FileDescriptor
    private let telemetry: Telemetry
    /// The first sender of a service also deletes old sent mail.
    private let sweepsRetention: Bool
    private let retention: Int
    private var lastPublished = 0.0
    private var lastSweep = 0.0
    private let logger = Logger(label: "sender")
    /// Outcomes not yet written (the database may be away); kept until they are.
    private var unrecorded: [(Outbox.ClaimedMail, Outbox.Outcome)] = []
    private var stopping = false
    private var databaseReachable = true

    /// How often at most a busy sender writes its figures, and how often the first one deletes
    /// sent mail past its retention.
    static let publishInterval = 0.25
    static let sweepInterval = 60.0

    /// `wake` is the pipe the responder rings when it queued mail; `number` counts from 1.
    public init(settings: Settings, wake: FileDescriptor?, telemetry: Telemetry, number: Int) throws {
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
        retry = RetrySchedule(settings.delivery)
        database = Database(settings.database)
        self.wake = wake
        self.telemetry = telemetry
        sweepsRetention = number == 1
        retention = settings.outboxRetention
        transport = try settings.delivery.transport.makeTransport(envelopeSender: settings.mail.from.address)
    }

    public func run() -> Int32 {
        logger.info("sender ready", metadata: ["pid": "\(CurrentProcess.id)"])
        while !stopping {
            // The last batch's outcomes and the next claim share one transaction: one commit
            // (one log flush) per batch instead of two.
            let batch: [Outbox.ClaimedMail]
            // Taken before the claim, so the lease as counted here ends no later than the database's.
            let leasedUntil = Clock.monotonic() + settings.leaseSeconds
            do {
                batch = try database.transaction { connection in
                    try Outbox.record(unrecorded, on: connection)
                    return try Outbox.claim(limit: settings.batchSize, leaseSeconds: settings.leaseSeconds, on: connection)
                }
                unrecorded = []
                noteDatabase(reachable: true, nil)
            } catch {
                noteDatabase(reachable: false, error)
                _ = pause()
                continue
            }
            if batch.isEmpty {
                sweepRetention()
                publish(now: true)
                while !pause() {}
            } else {
                deliver(batch, leasedUntil: leasedUntil)
                publish(now: false)
            }
        }
        if !recordOutcomes() {
            logger.warning("stopping with \(unrecorded.count) outcomes unrecorded; those messages go out again after their lease")
        }
        publish(now: true)
        logger.info("sender stopped")
        return 0
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

    /// Sends a claimed batch one message at a time. A message is started only while the lease
    /// has room for its longest transaction and the recording of its outcome; otherwise the
    /// lease of what is left is renewed first (committing the outcomes so far with it), so no
    /// other sender can take a message this one is still sending.
    private func deliver(_ batch: [Outbox.ClaimedMail], leasedUntil: Double) {
        let claimedAt = leasedUntil - settings.leaseSeconds
        var remaining = batch[...]
        var leaseEnd = leasedUntil
        var renewed = false
        while let mail = remaining.first {
            takeSignals()
            if stopping {
                unrecorded += remaining.map { ($0, .released) }
                return
            }
            // Just renewed, the whole lease is there: the settings make it long enough for one message.
            if !renewed && Clock.monotonic() + messageBudget > leaseEnd {
                let renewedAt = Clock.monotonic()
                guard let kept = renewLease(Array(remaining)) else {
                    logger.warning("cannot renew the lease of \(remaining.count) messages; they go back to the queue when it ends")
                    return
                }
                remaining = remaining.filter { kept.contains($0.id) }
                leaseEnd = renewedAt + settings.leaseSeconds
                renewed = true
                continue
            }
            renewed = false
            remaining = remaining.dropFirst()
            unrecorded.append((mail, outcome(of: mail, claimedAt: claimedAt)))
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

    private func outcome(of mail: Outbox.ClaimedMail, claimedAt: Double) -> Outbox.Outcome {
        var about: Logger.Metadata = [
            "outbox": "\(mail.id)", "message_id": "\(mail.messageID)", "to": "\(mail.recipient)", "attempt": "\(mail.attempt)",
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
            Instruments.deliveryDelay.recordNanoseconds(Int64((mail.ageAtClaim + done - claimedAt) * 1e9))
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

    /// Writes the outcomes gathered so far; false while the database is unreachable.
    private func recordOutcomes() -> Bool {
        guard !unrecorded.isEmpty else { return true }
        do {
            try database.transaction { try Outbox.record(unrecorded, on: $0) }
            unrecorded = []
            noteDatabase(reachable: true, nil)
            return true
        } catch {
            noteDatabase(reachable: false, error)
            return false
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

    /// Sleeps until the responder rings, a signal comes, or the poll interval passes. Answers
    /// false when another sender took the ring first: nothing to claim, sleep again.
    private func pause() -> Bool {
        let ready = FileDescriptor.poll([signals] + (wake.map { [$0] } ?? []), timeout: settings.pollInterval)
        takeSignals()
        guard !stopping, let wake, ready.count > 1, ready[1], !ready[0] else { return true }
        return wake.drain() > 0
    }

    private func takeSignals() {
        while Signals.take(from: signals) != nil {
            if !stopping { logger.info("sender stopping: finishing the message in hand") }
            stopping = true
        }
    }
}
