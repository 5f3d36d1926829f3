import Curl
import Instruments
import Logging
import Processes
import Settings
import Store
import Telemetry

/// One mail-sender child, as a process: its priority, signals and libraries, the wait for work
/// (the pipe from the responder, a signal, or the poll interval), its figures and the deletion
/// of old sent mail; what to deliver and when is its `Courier`'s. On SIGTERM it finishes the
/// message in hand, gives back the rest and what it read from the pipe, and exits 0.
public final class Sender {
    private var courier: Courier
    private let queue: MailQueue
    private let settings: DeliverySettings
    private let signals: FileDescriptor
    private let telemetry: Telemetry
    private let instruments: SenderInstruments
    /// The first sender of a service also deletes old sent mail.
    private let sweepsRetention: Bool
    private let retention: Int
    private var lastPublished = 0.0
    /// Figures changed since they were last written (at first: never written).
    private var unpublished = true
    private var lastSweep = 0.0
    private var stopping = false
    private let logger = Logger(label: "sender")

    /// How often at most a sender writes its figures (a scrape sees them that late at most), and
    /// how often the first one deletes sent mail past its retention.
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
        Database.prepareProcess()
        CurlLibrary.initialize()
        let instruments = SenderInstruments()
        self.instruments = instruments
        self.settings = settings.delivery
        queue = MailQueue(database: Database(settings.database, instruments: instruments.database), handover: handover)
        courier = Courier(
            queue: queue, transport: try settings.delivery.transport.makeTransport(envelopeSender: settings.mail.from.address),
            clock: Clock.monotonic, settings: settings.delivery, instruments: instruments, logsAddresses: settings.logLevel == .debug)
        self.telemetry = telemetry
        sweepsRetention = number == 1
        retention = settings.outboxRetention
    }

    public func run() -> Int32 {
        logger.info("sender ready", metadata: ["pid": "\(CurrentProcess.id)"])
        while !stopping {
            sweepRetention()
            if courier.isIdle {
                waitForWork()
                continue
            }
            guard courier.deliverNextBatch(stopRequested: { takeSignals() }) else {
                _ = FileDescriptor.poll([signals], timeout: settings.pollInterval)
                _ = takeSignals()
                continue
            }
            publish(now: false)
            courier.received(queue.receive(upTo: settings.batchSize))
        }
        while case let records = queue.receive(upTo: settings.batchSize), !records.isEmpty {
            courier.received(records)
        }
        if !courier.giveBack() {
            logger.warning(
                "stopping with \(courier.unrecorded.count + courier.handed.count) messages unrecorded; they go out again after their lease")
        }
        publish(now: true)
        logger.info("sender stopped")
        return 0
    }

    /// Sleeps until the responder hands something over or rings, a signal comes, or the poll
    /// interval passes (retries may have come due: look in the queue). Figures not written yet
    /// are written when their interval is up, not each time the sender goes idle: under load it
    /// goes idle after nearly every mail.
    private func waitForWork() {
        var timeout = settings.pollInterval
        if unpublished {
            let due = lastPublished + Self.publishInterval - Clock.monotonic()
            if due <= 0 { publish(now: true) } else { timeout = min(timeout, due) }
        }
        let ready = FileDescriptor.poll([signals] + (queue.handover.map { [$0.pipe] } ?? []), timeout: timeout)
        _ = takeSignals()
        if !ready.contains(true) {
            guard timeout == settings.pollInterval else {
                publish(now: true)
                return
            }
            courier.waited()
        } else if ready.count > 1, ready[1] {
            courier.received(queue.receive(upTo: settings.batchSize))
        }
    }

    private func publish(now force: Bool) {
        let time = Clock.monotonic()
        guard force || time - lastPublished >= Self.publishInterval else {
            unpublished = true
            return
        }
        lastPublished = time
        unpublished = false
        telemetry.publish()
    }

    /// Deletes sent mail older than MEIDUO_OUTBOX_RETENTION, a small batch per statement.
    private func sweepRetention() {
        let time = Clock.monotonic()
        guard sweepsRetention, time - lastSweep >= Self.sweepInterval else { return }
        lastSweep = time
        do {
            let purged = try queue.purgeSent(olderThan: retention)
            instruments.outboxPurged.increment(by: purged)
            if purged > 0 { logger.info("deleted \(purged) sent messages older than the retention") }
            courier.noteDatabase(reachable: true, nil)
        } catch {
            courier.noteDatabase(reachable: false, error)
        }
    }

    /// Whether the sender is stopping, after taking the signals that came.
    private func takeSignals() -> Bool {
        while Signals.take(from: signals) != nil {
            if !stopping { logger.info("sender stopping: finishing the message in hand") }
            stopping = true
        }
        return stopping
    }
}
