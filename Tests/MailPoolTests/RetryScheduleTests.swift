import MailPool
import Testing

@Suite struct RetryScheduleTests {
    @Test func tutorialScheduleIs3Then6Then12ThenFailed() {
        let schedule = RetrySchedule()
        #expect(schedule.delay(afterFailedAttempt: 1, spread: 0) == 3)
        #expect(schedule.delay(afterFailedAttempt: 2, spread: 0) == 6)
        #expect(schedule.delay(afterFailedAttempt: 3, spread: 0) == 12)
        #expect(schedule.delay(afterFailedAttempt: 4, spread: 0) == nil, "after three retries the message has failed")
    }

    @Test func baseAndCountAreSettings() {
        let schedule = RetrySchedule(base: 0.5, maxRetries: 5)
        #expect((1...5).map { schedule.delay(afterFailedAttempt: $0, spread: 0)! } == [0.5, 1, 2, 4, 8])
        #expect(schedule.delay(afterFailedAttempt: 6, spread: 0) == nil)
        #expect(RetrySchedule(maxRetries: 0).delay(afterFailedAttempt: 1, spread: 0) == nil)
    }

    @Test func jitterSpreadsWithinItsFraction() {
        let schedule = RetrySchedule(base: 10, maxRetries: 3, jitter: 0.2)
        #expect(schedule.delay(afterFailedAttempt: 1, spread: -1) == 8)
        #expect(schedule.delay(afterFailedAttempt: 1, spread: 1) == 12)
        for _ in 0..<100 {
            let delay = schedule.delay(afterFailedAttempt: 2)!
            #expect(delay >= 16)
            #expect(delay <= 24)
        }
    }

    @Test func attemptZeroHasNoRetryAndTheLastAllowedOneHasOne() {
        #expect(RetrySchedule().delay(afterFailedAttempt: 0, spread: 0) == nil)
        #expect(RetrySchedule(maxRetries: 20).delay(afterFailedAttempt: 20, spread: 0)! > 0)
    }
}

@Suite struct FileTransportTests {
    @Test func fileNamesAreSafe() {
        #expect(FileTransport.fileName(for: "1795598764.1203732da72c60df@163.com") == "1795598764.1203732da72c60df@163.com.eml")
        #expect(FileTransport.fileName(for: "../../etc/passwd") == ".._.._etc_passwd.eml")
        #expect(FileTransport.fileName(for: "a/b\u{0}c") == "a_b_c.eml")
    }
}
