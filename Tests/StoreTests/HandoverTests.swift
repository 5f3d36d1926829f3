import Processes
import Store
import Testing

@Suite struct HandoverTests {
    func pipe() throws -> (responder: Handover, sender: Handover, close: () -> Void) {
        let ends = try FileDescriptor.pipe()
        return (
            Handover(pipe: ends.write), Handover(pipe: ends.read),
            {
                ends.read.close(); ends.write.close()
            }
        )
    }

    @Test func recordsArriveWholeAndInOrder() throws {
        let (responder, sender, close) = try pipe()
        defer { close() }
        let records = [
            Handover.Record(id: 1, claim: Int64.max), Handover.Record.ring, Handover.Record(id: 0x0102_0304_0506_0708, claim: 42),
        ]
        for record in records { #expect(responder.pass(record)) }
        #expect(sender.receive(upTo: 2) == Array(records.prefix(2)))
        #expect(sender.receive(upTo: 10) == [records[2]])
        #expect(sender.receive(upTo: 10).isEmpty, "empty and non-blocking")
        #expect(records[1].isRing)
        #expect(!records[0].isRing)
    }

    @Test func roomRunsOutAtTheLimitLongBeforeThePipeIsFull() throws {
        let (responder, sender, close) = try pipe()
        defer { close() }
        for id in 1..<Handover.limit {
            #expect(responder.pass(Handover.Record(id: Int64(id), claim: 7)))
        }
        #expect(responder.hasRoom)
        responder.pass(Handover.Record(id: 9999, claim: 7))
        #expect(!responder.hasRoom, "the senders are behind: queue instead")
        #expect(responder.pass(.ring), "a ring still fits")
        #expect(sender.receive(upTo: 2).count == 2)
        #expect(responder.hasRoom, "below the limit again")
    }
}
