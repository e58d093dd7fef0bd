import Testing

@testable import PermanenceDaemonCore

/// Email's decisions, driven with plain values.
@Suite struct MailMachineTests {
    @Test func oneBatchInFlightAtATime() {
        var m = MailMachine()
        do { let r = m.sendRequested(); #expect(r) }
        do { let r = m.sendRequested(); #expect(!r) }
        do { let r = m.batchFinished(); #expect(r == .recordAndLookAgain) }
        do { let r = m.sendRequested(); #expect(r) }
    }

    @Test func anEmptyBatchFreesTheSlot() {
        var m = MailMachine()
        do { let r = m.sendRequested(); #expect(r) }
        m.nothingToSend()
        #expect(!m.isSending)
        do { let r = m.sendRequested(); #expect(r) }
    }

    @Test func shutdownWithNothingInFlightStopsAtOnce() {
        var m = MailMachine()
        do { let r = m.shutdown(); #expect(r == .stopNow) }
        do { let r = m.sendRequested(); #expect(!r) }
    }

    @Test func shutdownWaitsForTheBatchInFlightAndStartsNoOther() {
        var m = MailMachine()
        do { let r = m.sendRequested(); #expect(r) }
        do { let r = m.shutdown(); #expect(r == .waitForBatch) }
        do { let r = m.sendRequested(); #expect(!r) }
        do { let r = m.shutdown(); #expect(r == .waitForBatch) }
        do { let r = m.batchFinished(); #expect(r == .recordAndStop) }
        do { let r = m.sendRequested(); #expect(!r) }
        do { let r = m.shutdown(); #expect(r == .stopNow) }
    }

    @Test func theRelayRefusingIsAlertedOnceAndItsRecoveryOnce() {
        var m = MailMachine()
        #expect(m.relay(problem: "t1 login refused", delivered: false) == .alert(problem: "t1 login refused"))
        #expect(m.relay(problem: "t2 login refused", delivered: false) == .none)
        // A batch with nothing delivered and no relay problem (a message refused) says nothing.
        #expect(m.relay(problem: nil, delivered: false) == .none)
        #expect(m.relay(problem: nil, delivered: true) == .recovered(since: "t1 login refused"))
        #expect(m.relay(problem: nil, delivered: true) == .none)
    }

    @Test func anOutageKnownFromTheLastRunIsNotAlertedAgain() {
        var m = MailMachine(relayProblem: "t0 certificate")
        #expect(m.relay(problem: "t1 certificate", delivered: false) == .none)
        #expect(m.relay(problem: nil, delivered: true) == .recovered(since: "t0 certificate"))
        #expect(MailMachine(relayProblem: "").relayProblem == nil)
    }

    @Test func emailTurnedOffForgetsTheOutage() {
        var m = MailMachine(relayProblem: "t0 refused")
        do { let r = m.emailTurnedOff(); #expect(r) }
        do { let r = m.emailTurnedOff(); #expect(!r) }
        #expect(m.relayProblem == nil)
    }
}
