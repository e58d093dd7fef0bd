import Foundation
import PermanenceCore
import TestSupport
import Testing

@testable import PermanenceStore

/// The facts a team report is made from, read from a real SQLite store with the test's own pack (a visit 5
/// days after placement, a review 10 days after it); dates worked out by hand.
@Suite struct TeamFactsTests {
    static let pack = """
        [pack]
        id = "team-test"
        title = "Team test"
        source = "test"

        [[rule]]
        id = "visit"
        title = "Visit within 5 days"
        anchor = "placed-for-adoption"
        due = "5d"
        met-by = "visit"
        owner = "social-worker"

        [[rule]]
        id = "review"
        title = "Review within 10 days"
        anchor = "placed-for-adoption"
        due = "10d"
        met-by = "review"
        owner = "social-worker"
        """

    @Test func openMetEscalatedAndTheTeamsCasesAreRead() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("team-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let set = try RuleSetFixture.inline(packs: [Self.pack])
        let s = try Store(path: dir.appendingPathComponent("t.sqlite").path, ruleSet: set)
        let now = instant("2026-11-30T08:00")
        try s.addWorker(Worker(id: "tm", name: "Manager", roles: ["team-manager"]), actor: "test", now: now)
        for id in ["a", "b", "other"] {
            try s.addWorker(Worker(id: id, name: id, roles: ["social-worker"], manager: id == "other" ? nil : "tm"), actor: "test", now: now)
        }
        // A (worker a): placed 20 Nov: visit due 25 Nov (overdue), review due 30 Nov (overdue at 08:00? due at the
        // end of 30 Nov: this week). B (worker b): placed 24 Nov, visited 26 Nov (met on time), review due 4 Dec.
        // O (other's): not the team's.
        for (ref, worker, opened) in [("A", "a", "2026-11-01"), ("B", "b", "2026-11-26T09:00"), ("O", "other", "2026-11-01")] {
            try s.openCase(ChildCase(reference: ref, initials: "\(ref).\(ref).", plan: "adoption", calendar: "england-and-wales"),
                           openedAt: instant(opened), actor: "test", now: now)
            try s.assign(caseRef: ref, role: "social-worker", worker: worker, from: instant(opened), actor: "test", now: now)
        }
        try s.record(CaseEvent(id: "A1", caseRef: "A", kind: "placed-for-adoption", at: instant("2026-11-20T10:00")), source: "t", actor: "t", now: now)
        try s.record(CaseEvent(id: "B1", caseRef: "B", kind: "placed-for-adoption", at: instant("2026-11-26T10:00")), source: "t", actor: "t", now: now)
        try s.record(CaseEvent(id: "B2", caseRef: "B", kind: "visit", at: instant("2026-11-27T10:00")), source: "t", actor: "t", now: now)
        try s.record(CaseEvent(id: "O1", caseRef: "O", kind: "placed-for-adoption", at: instant("2026-11-20T10:00")), source: "t", actor: "t", now: now)
        // A's review is booked for Wednesday 2 December: met by an event still to come, so still open now (as
        // the agenda counts it).
        try s.record(CaseEvent(id: "A2", caseRef: "A", kind: "review", at: instant("2026-12-02T10:00")), source: "t", actor: "t", now: now)
        let f = try s.teamFacts(workers: ["a", "b"], since: instant("2026-11-23T08:00"), now: now, weekEnd: instant("2026-12-07T08:00"))
        #expect(Set(f.open.map { "\($0.caseRef)/\($0.ruleID)/\($0.owner)" }) == ["A/visit/a", "A/review/a", "B/review/b"], "\(f.open)")
        #expect(f.met.map { "\($0.caseRef)/\($0.ruleID)" } == ["B/visit"])
        #expect(f.met.first?.metAt == instant("2026-11-27T10:00"))
        #expect(f.cases.map(\.ref) == ["A", "B"] && f.cases.map(\.worker) == ["a", "b"])
        #expect(f.cases.last?.openedAt == instant("2026-11-26T09:00") && f.cases.first?.initials == "A.A.")
        #expect(f.escalated.isEmpty)
        // Met before the last report: not in this week's.
        let later = try s.teamFacts(workers: ["a", "b"], since: instant("2026-11-28T00:00"), now: now, weekEnd: instant("2026-12-07T08:00"))
        #expect(later.met.isEmpty)
        #expect(try s.teamFacts(workers: [], since: now, now: now, weekEnd: now).open.isEmpty)
    }
}
