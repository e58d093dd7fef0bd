import Testing

@testable import PermanenceDaemonCore

/// The schedule's decisions, driven with plain values: no store, clock or queue.
@Suite struct ScheduleMachineTests {
    static let reasons: [ScheduleMachine.Reason] = [.timer, .storeChanged, .inbox, .retry, .continuation, .reload]

    @Test(arguments: reasons) func anIdleScheduleStepsOnEveryWakeUp(_ reason: ScheduleMachine.Reason) {
        var m = ScheduleMachine()
        #expect(m.wake(reason) == .step)
        #expect(m.attempt == 0)
    }

    @Test func aFailedStepIsRetriedWithBackoffAndTheAttemptCounted() {
        var m = ScheduleMachine()
        #expect(m.wake(.timer) == .step)
        // 5 s doubling to the 60 s ceiling; every attempt numbered.
        let expected = [5, 10, 20, 40, 60, 60, 60]
        for (i, delay) in expected.enumerated() {
            do { let r = m.failed(); #expect(r == .retry(after: delay, attempt: i + 1)) }
            #expect(m.wake(.retry) == .step)
        }
        m.stepSucceeded()
        #expect(m.attempt == 0)
        do { let r = m.failed(); #expect(r == .retry(after: 5, attempt: 1)) }
    }

    @Test(arguments: reasons.filter { $0 != .retry && $0 != .inbox })
    func whileARetryIsArmedOtherWakeUpsAreAbsorbed(_ reason: ScheduleMachine.Reason) {
        // A failing write pokes the store's WAL: each of those wake-ups used to fail and log again.
        var m = ScheduleMachine()
        _ = m.wake(.timer)
        do { let r = m.failed(); #expect(r == .retry(after: 5, attempt: 1)) }
        #expect(m.wake(reason) == .none)
        #expect(m.attempt == 1)
        #expect(m.wake(.retry) == .step)
    }

    @Test func theEndOfAnInboxImportTriesAgainAtOnceKeepingTheCount() {
        // The daemon's own import held the write lock: when it ends, the store is free.
        var m = ScheduleMachine()
        _ = m.wake(.timer)
        _ = m.failed()
        #expect(m.wake(.inbox) == .step)
        do { let r = m.failed(); #expect(r == .retry(after: 10, attempt: 2)) }
    }

    @Test func aRebuildDefersWakeUpsAndOneStepFollowsItsSettlement() {
        var m = ScheduleMachine()
        guard case .rebuild(let g) = m.rebuildRequested() else { Issue.record("no rebuild"); return }
        #expect(m.isRebuilding)
        #expect(m.wake(.timer) == .none)
        #expect(m.wake(.storeChanged) == .none)
        #expect(m.built(g) == .settle)
        #expect(m.settled(g) == true)
        #expect(!m.needsRebuild)
        #expect(m.wake(.timer) == .step)
    }

    @Test func aRebuildWithNoWakeUpMeanwhileAsksForNoStep() {
        var m = ScheduleMachine()
        guard case .rebuild(let g) = m.rebuildRequested() else { Issue.record("no rebuild"); return }
        #expect(m.built(g) == .settle)
        #expect(m.settled(g) == false)
    }

    @Test func aReloadDuringARebuildReplacesItAndTheStaleResultIsDropped() {
        var m = ScheduleMachine()
        guard case .rebuild(let first) = m.rebuildRequested(), case .rebuild(let second) = m.rebuildRequested() else {
            Issue.record("no rebuild"); return
        }
        #expect(second == first + 1)
        #expect(m.built(first) == .drop)
        #expect(m.settled(first) == false)
        #expect(m.isRebuilding)
        #expect(m.built(second) == .settle)
        _ = m.settled(second)
        #expect(!m.isRebuilding)
    }

    @Test func aFailedRebuildIsBuiltAgainOnRetry() {
        // A store error during a start-up backlog, or a build that could not read the store.
        var m = ScheduleMachine()
        guard case .rebuild(let g) = m.rebuildRequested() else { Issue.record("no rebuild"); return }
        #expect(m.built(g) == .settle)
        do { let r = m.failed(); #expect(r == .retry(after: 5, attempt: 1)) }
        #expect(m.needsRebuild)
        #expect(m.wake(.timer) == .none)
        guard case .rebuild(let again) = m.wake(.retry) else { Issue.record("no rebuild on retry"); return }
        #expect(again == g + 1)
        #expect(m.built(g) == .drop)
        #expect(m.built(again) == .settle)
        _ = m.settled(again)
        #expect(m.attempt == 0)
    }

    @Test func stoppedNothingRuns() {
        var m = ScheduleMachine()
        guard case .rebuild(let g) = m.rebuildRequested() else { Issue.record("no rebuild"); return }
        do { let r = m.stop(); #expect(r) }
        do { let r = m.stop(); #expect(!r) }
        for r in Self.reasons { #expect(m.wake(r) == .none) }
        #expect(m.built(g) == .drop)
        do { let r = m.failed(); #expect(r == .none) }
        do { let r = m.rebuildRequested(); #expect(r == .none) }
    }

    @Test func aStoppedMachineIgnoresAStepThatSucceedsLate() {
        var m = ScheduleMachine()
        _ = m.wake(.timer)
        _ = m.stop()
        m.stepSucceeded()
        #expect(m.isStopped)
    }

    @Test func theClockSteppedForwardIsSeenAgainstTheBootClock() {
        var m = ScheduleMachine()
        #expect(m.clock(wall: 1_000_000, boot: 50) == .steady)
        // Ten minutes pass on both clocks: steady, whatever the wall clock says.
        #expect(m.clock(wall: 1_000_600, boot: 650) == .steady)
        // A suspend of an hour: the boot clock runs through it, so still steady.
        #expect(m.clock(wall: 1_004_200, boot: 4250) == .steady)
        // A day ahead in one second.
        #expect(m.clock(wall: 1_090_601, boot: 4251) == .steppedForward(seconds: 86_400))
        #expect(!m.needsRebuild)
        #expect(m.clock(wall: 1_090_611, boot: 4261) == .steady)
    }

    @Test func theClockSetBackAsksForARebuild() {
        var m = ScheduleMachine()
        _ = m.clock(wall: 2_000_000, boot: 100)
        #expect(m.clock(wall: 1_913_600, boot: 101) == .steppedBack(seconds: 86_401))
        #expect(m.needsRebuild)
        guard case .rebuild = m.wake(.timer) else { Issue.record("no rebuild after the clock went back"); return }
    }

    @Test func smallCorrectionsAreNotSteps() {
        var m = ScheduleMachine()
        _ = m.clock(wall: 1000, boot: 10)
        #expect(m.clock(wall: 1059, boot: 10) == .steady)
        #expect(m.clock(wall: 1000, boot: 10) == .steady)
    }

    @Test func aSavedCursorAheadOfTheClockIsDistrustedBeyondTheTolerance() {
        var m = ScheduleMachine()
        let within = m.checkCursor(1300, now: 1000)
        #expect(!within)
        #expect(!m.needsRebuild)
        let beyond = m.checkCursor(1301, now: 1000)
        #expect(beyond)
        #expect(m.needsRebuild)
    }

    @Test func theRetryDelayNeverOverflows() {
        #expect(ScheduleMachine.retryDelay(attempt: 0) == 5)
        #expect(ScheduleMachine.retryDelay(attempt: 1_000_000) == 60)
    }
}
