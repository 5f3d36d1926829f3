import EmailCore
import Instruments
import Logging
import Settings
import Store

/// What a courier needs of the queue: `MailQueue` in the service, a table in memory in the tests.
public protocol DeliveryQueue {
    func exchange(
        recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)], taking handed: [Handover.Record], claimingUpTo limit: Int?,
        leaseSeconds: Double
    ) throws -> (taken: [Outbox.ClaimedMail], claimed: [Outbox.ClaimedMail])
    func renew(_ mails: [Outbox.ClaimedMail], leaseSeconds: Double, recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)]) throws
        -> Set<Int64>
    func giveBack(recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)], releasing handed: [Handover.Record]) throws
}

extension MailQueue: DeliveryQueue {}

/// A sender's decisions, apart from its process: which batch to read (the hand-overs, and due
/// mail from the queue when there is reason to look), when a lease must be renewed before a
/// message, what each delivery's outcome is (sent, retried later, failed), and what is given
/// back on stop. Outcomes are recorded together with the next batch's reading: one commit per
/// batch. The queue, the transport and the clock are passed in.
public struct Courier {
    private let queue: any DeliveryQueue
    private let transport: any MailTransport
    /// Monotonic seconds.
    private let clock: () -> Double
    private let settings: DeliverySettings
    private let retry: RetrySchedule
    private let instruments: SenderInstruments
    private let logger = Logger(label: "sender")
    /// Whole recipient addresses in the log only at debug level; masked otherwise.
    private let logsAddresses: Bool

    /// Outcomes not yet written (the database may be away); kept until they are.
    public private(set) var unrecorded: [(Outbox.ClaimedMail, Outbox.Outcome)] = []
    /// Hand-overs read from the pipe and not yet taken.
    public private(set) var handed: [Handover.Record] = []
    /// Whether the next batch also claims from the queue: at the start (mail a stopped sender
    /// left), after a ring, after a poll interval without one, after a claim that came back full.
    public private(set) var looksInQueue = true
    private var databaseReachable = true

    public init(
        queue: any DeliveryQueue, transport: any MailTransport, clock: @escaping () -> Double, settings: DeliverySettings,
        instruments: SenderInstruments, logsAddresses: Bool
    ) {
        self.queue = queue
        self.transport = transport
        self.clock = clock
        self.settings = settings
        retry = RetrySchedule(settings)
        self.instruments = instruments
        self.logsAddresses = logsAddresses
    }

    /// Nothing to read, record or look for: the sender may sleep.
    public var isIdle: Bool { handed.isEmpty && !looksInQueue && unrecorded.isEmpty }

    /// Records read from the pipe; a ring sends the next batch to the queue.
    public mutating func received(_ records: [Handover.Record]) {
        for record in records {
            if record.isRing { looksInQueue = true } else { handed.append(record) }
        }
    }

    /// A poll interval passed without a ring: retries may have come due.
    public mutating func waited() {
        looksInQueue = true
    }

    /// Records the outcomes so far, reads the next batch and delivers it, one message at a
    /// time, until `stopRequested`. False when the database could not be reached (nothing
    /// was lost: what was held is still held).
    public mutating func deliverNextBatch(stopRequested: () -> Bool) -> Bool {
        // Taken before reading, so a lease as counted here ends no later than the database's.
        let readAt = clock()
        let claiming = looksInQueue
        let batch: (taken: [Outbox.ClaimedMail], claimed: [Outbox.ClaimedMail])
        do {
            batch = try queue.exchange(
                recording: unrecorded, taking: handed, claimingUpTo: claiming ? settings.batchSize : nil, leaseSeconds: settings.leaseSeconds)
            noteDatabase(reachable: true, nil)
        } catch {
            noteDatabase(reachable: false, error)
            return false
        }
        unrecorded = []
        handed = []
        looksInQueue = claiming && batch.claimed.count == settings.batchSize
        deliver(batch.taken + batch.claimed, readAt: readAt, stopRequested: stopRequested)
        return true
    }

    /// When stopping: writes the outcomes, and puts back in the queue, due now, what was read
    /// and not tried. False while the database is unreachable.
    public mutating func giveBack() -> Bool {
        do {
            try queue.giveBack(recording: unrecorded, releasing: handed)
            unrecorded = []
            handed = []
            return true
        } catch {
            noteDatabase(reachable: false, error)
            return false
        }
    }

    /// Sends a batch one message at a time. A message is started only while its lease has room
    /// for its longest transaction and the recording of its outcome; otherwise the leases of
    /// what is left are renewed first (committing the outcomes so far with them), so no other
    /// sender can take a message this one is still sending.
    private mutating func deliver(_ batch: [Outbox.ClaimedMail], readAt: Double, stopRequested: () -> Bool) {
        var remaining = batch[...]
        var leaseEnds = Dictionary(batch.map { ($0.id, readAt + $0.leaseLeft) }, uniquingKeysWith: min)
        var renewed = false
        while let mail = remaining.first {
            if stopRequested() {
                unrecorded += remaining.map { ($0, .released) }
                return
            }
            // Just renewed, the whole lease is there: the settings make it long enough for one message.
            if !renewed && clock() + messageBudget > leaseEnds[mail.id] ?? 0 {
                let renewedAt = clock()
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
    private mutating func renewLease(_ mails: [Outbox.ClaimedMail]) -> Set<Int64>? {
        do {
            let kept = try queue.renew(mails, leaseSeconds: settings.leaseSeconds, recording: unrecorded)
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
            instruments.failures[.abandoned].increment()
            return .failed(error: "gave up after \(mail.attempt - 1) claims ended without an outcome", kind: .other)
        }
        let started = clock()
        do {
            try transport.deliver(mail)
            let done = clock()
            instruments.sendDuration.recordNanoseconds(Int64((done - started) * 1e9))
            instruments.deliveryDelay.recordNanoseconds(Int64((mail.ageAtClaim + done - readAt) * 1e9))
            instruments.mailsDelivered.increment()
            logger.info("sent", metadata: about)
            return .sent
        } catch {
            instruments.sendDuration.recordNanoseconds(Int64((clock() - started) * 1e9))
            if error.isPermanent {
                logger.error("failed: refused for good: \(error.message)", metadata: about)
                instruments.failures[.smtpPermanent].increment()
                return .failed(error: error.message, kind: error.kind)
            }
            guard let delay = retry.delay(afterFailedAttempt: mail.attempt) else {
                logger.error("failed after \(mail.attempt) attempts: \(error.message)", metadata: about)
                instruments.failures[.retriesExhausted].increment()
                return .failed(error: error.message, kind: error.kind)
            }
            logger.warning("retrying in \(delay)s: \(error.message)", metadata: about)
            instruments.retries[Self.retryReason(error.kind)].increment()
            return .retry(afterSeconds: delay, error: error.message, kind: error.kind)
        }
    }

    /// Why a delivery will be tried again, as the metrics count it.
    static func retryReason(_ kind: Outbox.FailureKind) -> RetryReason {
        switch kind {
        case .temporary: .smtpTemporary
        case .connection: .connection
        case .timeout: .timeout
        case .refused, .other: .other
        }
    }

    /// Logs only when the database starts or stops failing, so an outage is two lines, not one a second.
    public mutating func noteDatabase(reachable: Bool, _ error: (any Error)?) {
        guard reachable != databaseReachable else { return }
        databaseReachable = reachable
        if let error {
            logger.error("database failing, will keep trying: \(error)")
        } else {
            logger.info("database working again")
        }
    }
}
