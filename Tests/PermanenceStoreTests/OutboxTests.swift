import Foundation
import GRDB
import PermanenceCore
import TestSupport
import Testing

@testable import PermanenceStore

/// The daemon's side of the store on a real SQLite file: change detection, the snapshot it starts from,
/// and the outbox.
@Suite struct OutboxTests {
    let base: StoreTests

    init() throws {
        base = try StoreTests()
    }

    func item(_ key: String, at: String, stage: NotificationStage = .overdue) -> OutboxItem {
        OutboxItem(
            key: key, caseRef: "C1", ruleID: "post-placement-visit", stage: stage, level: 0, dueAt: instant(at), isExact: true,
            severity: .urgent, plannedAt: instant(at), owner: "sw1", recipients: [Recipient(role: "permanence-sw", worker: "sw1")],
            late: false)
    }

    @Test func everyRecomputeMovesTheCaseRevisionForward() throws {
        let s = try base.seeded()
        let r0 = try s.revision()
        try s.record(
            CaseEvent(id: "p", caseRef: "C1", kind: "placed-for-adoption", at: instant("2026-11-20T10:00")),
            source: "test", actor: "test", now: base.now)
        let changed = try s.changedCases(since: r0)
        #expect(changed.refs == ["C1"])
        #expect(changed.revision > r0)
        #expect(try s.changedCases(since: changed.revision).refs.isEmpty)
    }

    @Test func theStartingSnapshotMatchesCaseByCaseReads() throws {
        let s = try base.seeded()
        try s.openCase(
            ChildCase(reference: "C0", plan: "adoption", calendar: "england-and-wales", packs: []),
            openedAt: instant("2026-01-01"), actor: "test", now: base.now)
        try s.openCase(
            ChildCase(reference: "C2", plan: "adoption", calendar: "scotland", packs: []),
            openedAt: instant("2026-01-01"), actor: "test", now: base.now)
        for (id, ref, kind, at) in [("a", "C1", "placed-for-adoption", "2026-11-01T10:00"), ("b", "C2", "placement-order", "2026-03-01"),
            ("c", "C1", "visit", "2026-11-02T10:00"), ("d", "C2", "visit", "2026-03-03T10:00")]
        {
            try s.record(CaseEvent(id: id, caseRef: ref, kind: kind, at: instant(at)), source: "test", actor: "test", now: base.now)
        }
        try s.withdraw(eventID: "c", reason: "wrong case", actor: "test", now: base.now)
        try s.closeCase("C0", at: instant("2026-11-01"), actor: "test", now: base.now)
        var seen: [(ChildCase, [CaseEvent])] = []
        try s.forEachOpenCase { c, events in seen.append((c, events)) }  // the body must not use the store
        #expect(seen.map(\.0.reference) == ["C1", "C2"])
        for (c, events) in seen {
            let single = try #require(try s.openCase(c.reference))
            #expect(c.assignments == single.0.assignments)
            #expect(events.map(\.id) == single.1.map(\.id))
            #expect(events.map(\.withdrawn) == single.1.map(\.withdrawn))
        }
        #expect(try s.openCase("C0") == nil)
    }

    @Test func aKeyIsQueuedOnceAndTheCursorMovesInTheSameTransaction() throws {
        let s = try base.seeded()
        #expect(try s.daemonCursor() == nil)
        let a = item("k1", at: "2026-11-23T09:00"), b = item("k2", at: "2026-11-23T09:00", stage: .reminder)
        #expect(try s.enqueue([a, b], cursor: instant("2026-11-23T09:00:05"), now: base.now) == 2)
        #expect(try s.enqueue([a], cursor: instant("2026-11-23T09:10"), now: base.now) == 0)
        #expect(try s.daemonCursor() == instant("2026-11-23T09:10"))
        // Same moment: the reminder before the overdue notice.
        #expect(try s.outbox().map(\.item.key) == ["k2", "k1"])
        #expect(try s.outbox().first?.item == b)
        try s.markDelivering(["k2"])
        try s.markSent(["k2"], at: base.now, to: "stderr")
        try s.markFailed("k1", error: "journal down")
        let summary = try s.outboxSummary()
        #expect(summary == Store.OutboxSummary(pending: 1, failed: 1, sent: 1, oldestPending: instant("2026-11-23T09:00"), sentTo: ["stderr": 1]))
        // A sent key is never queued again, even from a replan after a restart.
        #expect(try s.enqueue([b], cursor: base.now, now: base.now) == 0)
        #expect(try s.notifications("C1").count == 2)
    }

    @Test func aBacklogNoticeIsKeptAsSuchAndStillLate() throws {
        let s = try base.seeded()
        var late = OutboxItem(
            key: "k5", caseRef: "C1", ruleID: "post-placement-visit", stage: .overdue, level: 0, dueAt: base.now, isExact: true,
            severity: .urgent, plannedAt: base.now, owner: "sw1", recipients: [], late: true)
        late.backlog = true
        let plain = OutboxItem(
            key: "k6", caseRef: "C1", ruleID: "post-placement-visit", stage: .due, level: 0, dueAt: base.now, isExact: true,
            severity: .urgent, plannedAt: base.now, owner: "sw1", recipients: [], late: true)
        try s.enqueue([late, plain], cursor: base.now, now: base.now)
        let rows = try s.outbox()
        #expect(rows.first { $0.item.key == "k5" }?.item == late)
        #expect(rows.first { $0.item.key == "k6" }?.item == plain)
        #expect(rows.allSatisfy { $0.item.late })
    }

    @Test func recipientsAreKeptAsAListNotAJoinedString() throws {
        let s = try base.seeded()
        // Even an id the importers refuse (a comma, an equals sign) comes back whole: the list is stored as such.
        let odd = [Recipient(role: "permanence-sw", worker: "jones,k"), Recipient(role: "iro", worker: "a=b"),
                   Recipient(role: "team-manager", worker: nil)]
        let i = OutboxItem(key: "k9", caseRef: "C1", ruleID: "post-placement-visit", stage: .overdue, level: 0,
                           dueAt: base.now, isExact: true, severity: .urgent, plannedAt: base.now, owner: "jones,k", recipients: odd, late: false)
        try s.enqueue([i], cursor: base.now, now: base.now)
        #expect(try s.outbox().first { $0.item.key == "k9" }?.item.recipients == odd)
    }

    @Test func aRowInterruptedMidDeliveryStaysInTheOutbox() throws {
        let s = try base.seeded()
        try s.enqueue([item("k1", at: "2026-11-23T09:00")], cursor: base.now, now: base.now)
        try s.markDelivering(["k1"])
        let rows = try Store(path: base.path(), ruleSet: base.set).outbox()
        #expect(rows.map(\.state) == ["delivering"])
        #expect(rows.first?.attempts == 1)
    }

    @Test func daemonStateForStatus() throws {
        let s = try base.seeded()
        try s.setDaemonState(["state": "running", "pid": "42", "next": "1795424400"])
        #expect(try s.daemonState() == ["state": "running", "pid": "42", "next": "1795424400"])
        let counts = try s.openAndOverdue(now: base.now)
        #expect(counts.openCases == 1)
    }
}
