import Instruments
import MailPool
import Settings
import Store
import Testing

/// The queue as a table in memory: what the courier asked of it, in order, and what it recorded.
final class MemoryQueue: DeliveryQueue {
    enum Call: Equatable { case exchange, renew, giveBack }

    /// Due mail a claim may take, in order.
    var due: [Outbox.ClaimedMail] = []
    /// Mails that a hand-over record may name, by id.
    var held: [Int64: Outbox.ClaimedMail] = [:]
    /// Ids another sender claimed once their lease ended: this courier's claim no longer holds them.
    var takenByOthers: Set<Int64> = []
    var calls: [Call] = []
    var recorded: [(id: Int64, outcome: Outbox.Outcome)] = []
    var released: [Handover.Record] = []

    func exchange(
        recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)], taking handed: [Handover.Record], claimingUpTo limit: Int?,
        leaseSeconds: Double
    ) throws -> (taken: [Outbox.ClaimedMail], claimed: [Outbox.ClaimedMail]) {
        calls.append(.exchange)
        record(outcomes)
        let taken = handed.compactMap { record in held[record.id].flatMap { $0.claim == record.claim ? $0 : nil } }
        let claimed = Array(due.prefix(limit ?? 0))
        due.removeFirst(claimed.count)
        return (taken, claimed)
    }

    func renew(_ mails: [Outbox.ClaimedMail], leaseSeconds: Double, recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)]) throws
        -> Set<Int64>
    {
        calls.append(.renew)
        record(outcomes)
        return Set(mails.map(\.id)).subtracting(takenByOthers)
    }

    func giveBack(recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)], releasing handed: [Handover.Record]) throws {
        calls.append(.giveBack)
        record(outcomes)
        released += handed
    }

    private func record(_ outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)]) {
        recorded += outcomes.map { ($0.0.id, $0.1) }
    }
}

/// A mail server that takes `seconds` of the test's clock per message, failing as told.
final class TimedTransport: MailTransport {
    let clock: TestClock
    let seconds: Double
    var failures: [Int64: DeliveryError] = [:]
    private(set) var delivered: [Int64] = []

    init(clock: TestClock, seconds: Double) {
        self.clock = clock
        self.seconds = seconds
    }

    func deliver(_ mail: Outbox.ClaimedMail) throws(DeliveryError) {
        clock.now += seconds
        if let failure = failures[mail.id] { throw failure }
        delivered.append(mail.id)
    }
}

final class TestClock {
    var now = 1000.0
}

@Suite struct CourierTests {
    /// EMAIL_TIMEOUT 10 s, leases of 30 s: a message needs 11 s of lease left to be started.
    static func settings(batch: Int = 32, retries: Int = 3) throws -> DeliverySettings {
        try DeliverySettings(
            Environment([
                "EMAIL_TIMEOUT": "10", "MEIDUO_MAIL_LEASE": "30", "MEIDUO_MAIL_BATCH": "\(batch)", "MEIDUO_MAIL_MAX_RETRIES": "\(retries)",
            ]))
    }

    static func mail(_ id: Int64, attempt: Int = 1, claim: Int64 = 7, leaseLeft: Double = 30) -> Outbox.ClaimedMail {
        Outbox.ClaimedMail(
            id: id, recipient: "u\(id)@example.com", messageID: "<\(id)@test>", message: Array("mail \(id)".utf8), attempt: attempt,
            claim: claim, requestID: nil, ageAtClaim: 0, leaseLeft: leaseLeft)
    }

    static func courier(_ queue: MemoryQueue, _ transport: TimedTransport, settings: DeliverySettings) -> Courier {
        Courier(
            queue: queue, transport: transport, clock: { [clock = transport.clock] in clock.now }, settings: settings,
            instruments: SenderInstruments(), logsAddresses: false)
    }

    @Test func aMessageThatWouldOutliveItsLeaseIsStartedOnlyAfterTheLeaseIsRenewed() throws {
        let clock = TestClock(), queue = MemoryQueue(), transport = TimedTransport(clock: clock, seconds: 25)
        queue.due = [Self.mail(1), Self.mail(2)]
        var courier = Self.courier(queue, transport, settings: try Self.settings())
        let read = courier.deliverNextBatch(stopRequested: { false })
        #expect(read, "the database answered")
        #expect(transport.delivered == [1, 2])
        #expect(queue.calls == [.exchange, .renew], "the first fits its lease; 5 s left is too little for the second")
        #expect(queue.recorded.map(\.id) == [1], "the first outcome is committed with the renewal")
        #expect(courier.unrecorded.map(\.0.id) == [2], "the second is recorded with the next batch")
    }

    @Test func aMessageWhoseClaimAnotherSenderHoldsNowIsNotSent() throws {
        let clock = TestClock(), queue = MemoryQueue(), transport = TimedTransport(clock: clock, seconds: 1)
        // Read with 5 s of lease left: too little for either, so the lease is renewed first.
        queue.due = [Self.mail(1, leaseLeft: 5), Self.mail(2, leaseLeft: 5)]
        queue.takenByOthers = [1]
        var courier = Self.courier(queue, transport, settings: try Self.settings())
        let read = courier.deliverNextBatch(stopRequested: { false })
        #expect(read, "the database answered")
        #expect(queue.calls == [.exchange, .renew])
        #expect(transport.delivered == [2], "the claim on 1 no longer holds: its new holder sends it")
    }

    @Test func aHandOverUnderAnotherClaimIsNotTaken() throws {
        let clock = TestClock(), queue = MemoryQueue(), transport = TimedTransport(clock: clock, seconds: 1)
        queue.held = [1: Self.mail(1, claim: 7), 2: Self.mail(2, claim: 8)]
        var courier = Self.courier(queue, transport, settings: try Self.settings())
        courier.received([Handover.Record(id: 1, claim: 7), Handover.Record(id: 2, claim: 7)])
        let read = courier.deliverNextBatch(stopRequested: { false })
        #expect(read, "the database answered")
        #expect(transport.delivered == [1])
    }

    @Test func onStopTheMessageInHandIsFinishedAndTheRestGivenBackUntried() throws {
        let clock = TestClock(), queue = MemoryQueue(), transport = TimedTransport(clock: clock, seconds: 1)
        queue.due = [Self.mail(1), Self.mail(2), Self.mail(3)]
        var courier = Self.courier(queue, transport, settings: try Self.settings())
        let read = courier.deliverNextBatch(stopRequested: { transport.delivered.count >= 1 })
        #expect(read, "the database answered")
        #expect(transport.delivered == [1])
        courier.received([Handover.Record(id: 9, claim: 4), .ring])
        let gaveBack = courier.giveBack()
        #expect(gaveBack)
        #expect(queue.calls == [.exchange, .giveBack])
        let outcomes = queue.recorded.map { ($0.id, "\($0.outcome)") }
        #expect(outcomes.map(\.0) == [1, 2, 3])
        #expect(outcomes[0].1 == "sent")
        #expect(outcomes.dropFirst().allSatisfy { $0.1 == "released" }, "not tried: the attempt is not counted")
        #expect(queue.released == [Handover.Record(id: 9, claim: 4)], "read from the pipe, not taken: back to the queue")
        #expect(courier.isIdle == false, "the ring still asks for a look in the queue")
    }

    @Test func aFailureIsRetriedOnTheScheduleUnlessItIsPermanentOrTheLast() throws {
        let clock = TestClock(), queue = MemoryQueue(), transport = TimedTransport(clock: clock, seconds: 1)
        let temporary = DeliveryError(message: "451 later", kind: .temporary, isPermanent: false)
        transport.failures = [
            1: temporary, 2: DeliveryError(message: "550 no such user", kind: .refused, isPermanent: true), 3: temporary,
        ]
        queue.due = [Self.mail(1), Self.mail(2), Self.mail(3, attempt: 4), Self.mail(4, attempt: 5)]
        var courier = Self.courier(queue, transport, settings: try Self.settings(retries: 3))
        let read = courier.deliverNextBatch(stopRequested: { false })
        #expect(read, "the database answered")
        let outcomes = courier.unrecorded.map { $0.1 }
        guard case .retry(let delay, _, .temporary) = outcomes[0] else { Issue.record("\(outcomes[0])"); return }
        #expect(delay > 0)
        guard case .failed(_, .refused) = outcomes[1] else { Issue.record("\(outcomes[1])"); return }
        guard case .failed(_, .temporary) = outcomes[2] else { Issue.record("\(outcomes[2]): the fourth attempt was the last"); return }
        guard case .failed(_, .other) = outcomes[3] else { Issue.record("\(outcomes[3])"); return }
        #expect(transport.delivered.isEmpty)
        #expect(clock.now == 1003, "the fifth claim is given up on without trying: senders died holding it")
    }

    @Test func aClaimThatCameBackFullLooksInTheQueueAgain() throws {
        let clock = TestClock(), queue = MemoryQueue(), transport = TimedTransport(clock: clock, seconds: 1)
        queue.due = [Self.mail(1), Self.mail(2), Self.mail(3)]
        var courier = Self.courier(queue, transport, settings: try Self.settings(batch: 2))
        let first = courier.deliverNextBatch(stopRequested: { false })
        #expect(first, "the database answered")
        #expect(courier.looksInQueue, "two of two: there may be more")
        let second = courier.deliverNextBatch(stopRequested: { false })
        #expect(second, "the database answered")
        #expect(!courier.looksInQueue, "one of two: the queue is empty")
        #expect(transport.delivered == [1, 2, 3])
        #expect(queue.recorded.map(\.id) == [1, 2], "each batch's outcomes go with the next reading")
    }

    @Test func whileTheDatabaseIsAwayNothingIsDroppedAndNothingSent() throws {
        struct Away: Error {}
        final class AwayQueue: DeliveryQueue {
            func exchange(
                recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)], taking handed: [Handover.Record], claimingUpTo limit: Int?,
                leaseSeconds: Double
            ) throws -> (taken: [Outbox.ClaimedMail], claimed: [Outbox.ClaimedMail]) { throw Away() }
            func renew(_ mails: [Outbox.ClaimedMail], leaseSeconds: Double, recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)])
                throws -> Set<Int64>
            { throw Away() }
            func giveBack(recording outcomes: [(Outbox.ClaimedMail, Outbox.Outcome)], releasing handed: [Handover.Record]) throws {
                throw Away()
            }
        }
        let clock = TestClock(), transport = TimedTransport(clock: clock, seconds: 1)
        var courier = Courier(
            queue: AwayQueue(), transport: transport, clock: { clock.now }, settings: try Self.settings(), instruments: SenderInstruments(),
            logsAddresses: false)
        courier.received([Handover.Record(id: 5, claim: 1)])
        let read = courier.deliverNextBatch(stopRequested: { false })
        #expect(!read)
        let gaveBack = courier.giveBack()
        #expect(!gaveBack)
        #expect(courier.handed == [Handover.Record(id: 5, claim: 1)], "kept, to try again")
        #expect(transport.delivered.isEmpty)
    }
}
