import Testing

@testable import PermanenceDaemonCore

/// Delivery turns, driven with plain values.
@Suite struct DeliveryMachineTests {
    @Test func aDrainedOutboxLetsEmailFollow() {
        var m = DeliveryMachine()
        #expect(m.turnEnded(budgetSpent: false, progressed: true, stalled: false) == .init(drained: true))
        #expect(m.turnEnded(budgetSpent: false, progressed: false, stalled: false) == .init(drained: true))
    }

    @Test func aLargeOutboxContinuesInOneContinuationAtATime() {
        var m = DeliveryMachine()
        #expect(m.turnEnded(budgetSpent: true, progressed: true, stalled: false) == .init(postContinuation: true))
        #expect(m.isContinuing)
        // Another turn (a timer) meanwhile posts no second continuation.
        #expect(m.turnEnded(budgetSpent: true, progressed: true, stalled: false) == .init())
        do { let r = m.continuationRuns(); #expect(r) }
        #expect(!m.isContinuing)
        #expect(m.turnEnded(budgetSpent: true, progressed: true, stalled: false) == .init(postContinuation: true))
        do { let r = m.continuationRuns(); #expect(r) }
        #expect(m.turnEnded(budgetSpent: false, progressed: true, stalled: false) == .init(drained: true))
    }

    @Test func lateDeliveriesAreSummedUpOnceWhenTheOutboxIsDrained() {
        var m = DeliveryMachine()
        m.deliveredLate(plannedAt: 500)
        m.deliveredLate(plannedAt: 300)
        #expect(m.turnEnded(budgetSpent: true, progressed: true, stalled: false) == .init(postContinuation: true))
        m.deliveredLate(plannedAt: 900)
        _ = m.continuationRuns()
        let last = m.turnEnded(budgetSpent: false, progressed: true, stalled: false)
        #expect(last.drained)
        #expect(last.summary?.count == 3)
        #expect(last.summary?.first == 300)
        #expect(m.turnEnded(budgetSpent: false, progressed: false, stalled: false).summary == nil)
    }

    @Test func nothingAcceptingEntriesArmsOneRetry() {
        var m = DeliveryMachine()
        #expect(m.turnEnded(budgetSpent: false, progressed: false, stalled: true) == .init(retryStalled: true, drained: true))
        // Further turns while stalled arm nothing more.
        #expect(m.turnEnded(budgetSpent: false, progressed: false, stalled: true) == .init(drained: true))
        do { let r = m.stalledRetryRuns(); #expect(r) }
        #expect(m.turnEnded(budgetSpent: false, progressed: false, stalled: true) == .init(retryStalled: true, drained: true))
    }

    @Test func stoppedNothingContinues() {
        var m = DeliveryMachine()
        _ = m.turnEnded(budgetSpent: true, progressed: true, stalled: false)
        m.stop()
        do { let r = m.continuationRuns(); #expect(!r) }
        do { let r = m.stalledRetryRuns(); #expect(!r) }
        #expect(m.turnEnded(budgetSpent: true, progressed: true, stalled: false) == .init())
    }

    @Test func aFailedTurnIsRetriedWithBackoffAndTheAttemptCounted() {
        var m = DeliveryMachine()
        for (i, delay) in [5, 10, 20, 40, 60, 60].enumerated() {
            let r = m.turnFailed()
            #expect(r?.after == delay && r?.attempt == i + 1)
        }
        m.turnSucceeded()
        #expect(m.attempt == 0)
        #expect(m.turnFailed()?.attempt == 1)
        m.stop()
        #expect(m.turnFailed() == nil)
    }
}
