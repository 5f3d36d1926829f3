import Instruments
import Store
import Testing

@Suite struct DatabaseRetryTests {
    @Test func pausesDoubleFromTwentyMillisecondsWithinJitterAndCap() {
        let retry = DatabaseRetry()
        #expect((1...5).map { retry.delay(before: $0, random: 1) } == [0.02, 0.04, 0.08, 0.16, 0.32])
        #expect((1...5).map { retry.delay(before: $0, random: 0) } == [0.01, 0.02, 0.04, 0.08, 0.16])
        #expect(abs(retry.delay(before: 3, random: 0.5) - 0.06) < 1e-12)
        #expect(retry.delay(before: 10, random: 1) == 0.5)
        #expect(retry.delay(before: 64, random: 1) == 0.5)
    }

    @Test func aRequestWaitsAtMostThreeHundredMillisecondsInAll() {
        #expect(DatabaseRetry().retries == 4)
        #expect(abs(DatabaseRetry().longestWait - 0.3) < 1e-9)
    }

    @Test(arguments: [
        (UInt32(1213), DatabaseRetryCause.conflict), (1205, .lockWait), (1047, .notReady), (1180, .notReady), (2006, .connection),
        (2013, .connection),
        (2002, .connection), (1927, .connection), (4031, .connection),
    ])
    func failuresThatMayPassAreClassifiedByCause(code: UInt32, cause: DatabaseRetryCause) {
        #expect(DatabaseRetry.cause(ofCode: code) == cause)
    }

    @Test(arguments: [UInt32(1062), 1045, 1146, 1064, 1406, 9000])
    func otherFailuresAreNotRetried(code: UInt32) {
        #expect(DatabaseRetry.cause(ofCode: code) == nil)
    }

    @Test func aTransactionRunsAgainUnlessItsCommitMayHaveTakenEffect() {
        for cause in [DatabaseRetryCause.conflict, .lockWait, .notReady] {
            #expect(DatabaseRetry.mayRetry(cause, .init(kind: .transaction(committing: true))))
        }
        #expect(DatabaseRetry.mayRetry(.connection, .init(kind: .transaction(committing: false), writesBefore: 3)))
        #expect(!DatabaseRetry.mayRetry(.connection, .init(kind: .transaction(committing: true))))
        #expect(DatabaseRetry.mayRetry(.connection, .init(kind: .transaction(committing: true), idempotent: true)))
    }

    @Test func statementsRunAgainOnlyWhenNoneOfTheirWritesMayHaveTakenEffect() {
        // The failed statement did nothing: safe while no earlier write committed.
        #expect(DatabaseRetry.mayRetry(.conflict, .init(kind: .statements, failedOnWrite: true)))
        #expect(DatabaseRetry.mayRetry(.notReady, .init(kind: .statements)))
        #expect(!DatabaseRetry.mayRetry(.conflict, .init(kind: .statements, writesBefore: 1, failedOnWrite: true)))
        #expect(DatabaseRetry.mayRetry(.conflict, .init(kind: .statements, writesBefore: 1, idempotent: true)))
        // A lock wait timeout has already waited long enough.
        #expect(!DatabaseRetry.mayRetry(.lockWait, .init(kind: .statements)))
        // A connection lost during a read, or on a stale connection's first round trip, left nothing.
        #expect(DatabaseRetry.mayRetry(.connection, .init(kind: .statements)))
        #expect(DatabaseRetry.mayRetry(.connection, .init(kind: .statements, failedOnWrite: true, firstOnReusedConnection: true)))
        // Lost during a write, or after one: it may have committed.
        #expect(!DatabaseRetry.mayRetry(.connection, .init(kind: .statements, failedOnWrite: true)))
        #expect(!DatabaseRetry.mayRetry(.connection, .init(kind: .statements, writesBefore: 1)))
        #expect(DatabaseRetry.mayRetry(.connection, .init(kind: .statements, failedOnWrite: true, idempotent: true)))
    }
}

@Suite struct NodeRotationTests {
    @Test func nodesAreTriedInTheListedOrder() {
        #expect(NodeRotation(count: 3, holdDown: 30).order(at: 100) == [0, 1, 2])
    }

    @Test func aFailedNodeIsTriedLastUntilItsHoldDownEnds() {
        var rotation = NodeRotation(count: 3, holdDown: 30)
        rotation.failed(0, at: 100)
        #expect(rotation.order(at: 101) == [1, 2, 0])
        rotation.failed(1, at: 110)
        #expect(rotation.order(at: 111) == [2, 0, 1])
        #expect(rotation.order(at: 130) == [0, 2, 1])
        rotation.answered(1)
        #expect(rotation.order(at: 111) == [1, 2, 0])
    }

    @Test func whenAllAreDownTheOneBackSoonestComesFirst() {
        var rotation = NodeRotation(count: 3, holdDown: 30)
        rotation.failed(2, at: 100)
        rotation.failed(0, at: 105)
        rotation.failed(1, at: 103)
        #expect(rotation.order(at: 106) == [2, 1, 0])
    }
}
