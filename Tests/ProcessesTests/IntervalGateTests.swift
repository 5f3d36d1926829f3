import Processes
import Testing

@Suite struct IntervalGateTests {
    @Test func letsOneEventThroughPerIntervalAndCountsTheRest() {
        var gate = IntervalGate(interval: 10)
        #expect(gate.admit(now: 100) == 0)
        #expect(gate.admit(now: 100.5) == nil)
        #expect(gate.admit(now: 109.9) == nil)
        #expect(gate.admit(now: 110) == 2)
        #expect(gate.admit(now: 115) == nil)
        #expect(gate.admit(now: 500) == 1)
        #expect(gate.admit(now: 510) == 0)
    }
}
