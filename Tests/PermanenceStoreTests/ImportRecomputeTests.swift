import Foundation
import GRDB
import PermanenceCore
import TestSupport
import Testing

@testable import PermanenceStore

/// An import recomputes the cases it touches from what it read and added (it does not read back the rows it
/// has just written), opens new cases without looking each up first, and checks every row on a thread of
/// its own while it writes. These tests hold each shortcut to the slow way: the deadlines it stores are those
/// a recompute from the store gives, row for row.
@Suite struct ImportRecomputeTests {
    let set: RuleSet
    let dir: URL
    let now = instant("2026-11-23T10:00")

    init() throws {
        set = try shippedRuleSet()
        dir = try scratchDirectory("import-recompute")
    }

    func write(_ name: String, _ text: String) throws -> String { try writeFile(name, text, in: dir) }

    /// A store with a team of three.
    func store() throws -> Store {
        let s = try Store(path: dir.appendingPathComponent("s.sqlite").path, ruleSet: set)
        try s.addWorker(Worker(id: "tm", name: "Team Manager", roles: ["team-manager"]), actor: "test", now: now)
        for w in ["sw1", "sw2"] {
            try s.addWorker(Worker(id: w, name: w, roles: ["social-worker", "permanence-sw"], manager: "tm"), actor: "test", now: now)
        }
        return s
    }

    /// Checks that the stored deadlines are those every open case, read back from the store and evaluated
    /// again, gives.
    func expectAsIfReadBack(_ s: Store, _ label: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let imported = try s.deadlineRows()
        let readBack = try s.deadlineRowsRecomputedOneByOne()
        #expect(!readBack.isEmpty, "\(label): nothing to compare", sourceLocation: sourceLocation)
        // The rows that differ, a few of them, rather than both lists whole.
        let differing = Set(imported).symmetricDifference(readBack).sorted()
        #expect(differing.isEmpty && imported.count == readBack.count,
                "\(label): \(imported.count) stored, \(readBack.count) read back; differing: \(differing.prefix(4))", sourceLocation: sourceLocation)
    }

    @Test func theDeadlinesAnImportStoresAreThoseAReadBackGives() throws {
        let s = try store()
        // Forty cases, more than the import follows at once, of several plans and both calendars; two are
        // already in the store (one with events) and are updated, not opened.
        try s.openCase(ChildCase(reference: "K01", plan: "adoption", calendar: "england-and-wales"), openedAt: instant("2025-01-01"),
                       actor: "t", now: now)
        try s.record(CaseEvent(id: "old-1", caseRef: "K01", kind: "became-looked-after", at: instant("2025-03-03T09:00")),
                     source: "t", actor: "t", now: now)
        try s.openCase(ChildCase(reference: "K02", plan: "reunification", calendar: "scotland"), openedAt: nil, actor: "t", now: now)
        let plans = ["adoption", "long-term-fostering", "reunification", "special-guardianship"]
        var cases = "case_ref,plan,calendar,social-worker,permanence-sw,team-manager\n"
        for k in 1...40 {
            cases += String(format: "K%02d,%@,%@,sw%d,sw%d,tm\n", k, plans[k % 4], k % 5 == 4 ? "scotland" : "england-and-wales", 1 + k % 2, 2 - k % 2)
        }
        let r = try s.importFile(try write("cases.csv", cases), actor: "t", now: now)
        #expect(r.changed == 40 && r.casesRecomputed == 40)
        try expectAsIfReadBack(s, "cases")

        // The events of all forty interleaved (no case's rows together), out of time order within a case,
        // with date-only and timed events on one day, two at one instant, notes, and a withdrawn one.
        var events = "case_ref,event,at,event_id,note,withdrawn\n"
        let kinds = ["visit", "review", "visit", "placement-planning-meeting", "visit"]
        for round in 0..<6 {
            for k in stride(from: 40, through: 1, by: -1) {
                let ref = String(format: "K%02d", k)
                switch round {
                case 0: events += "\(ref),became-looked-after,2026-0\(1 + k % 3)-0\(1 + k % 7)T10:00,\(ref)-start,,\n"
                case 1: events += "\(ref),placed,2026-0\(1 + k % 3)-0\(1 + k % 7)T10:00,\(ref)-placed,same instant,\n"
                default:
                    // Later rows dated earlier than some before them; a date-only visit on the placement's day.
                    let day = round == 2 ? "2026-0\(1 + k % 3)-0\(1 + k % 7)" : "2026-\(String(format: "%02d", 4 + (k * round) % 6))-1\(round)T09:30"
                    let withdrawn = round == 4 && k % 9 == 0 ? "1" : ""
                    events += "\(ref),\(kinds[(k + round) % kinds.count]),\(day),\(ref)-e\(round),note \(round),\(withdrawn)\n"
                }
            }
        }
        let first = try s.importFile(try write("events.csv", events), actor: "t", now: now)
        #expect(first.rows == 240 && first.changed == 240 && first.casesRecomputed == 40)
        try expectAsIfReadBack(s, "interleaved events")

        // A later export, grouped by case: corrections of earlier events, an event already recorded now marked
        // withdrawn, the same rows again, and new ones.
        var later = "case_ref,event,at,event_id,supersedes,withdrawn\n"
        for k in 1...40 {
            let ref = String(format: "K%02d", k)
            later += "\(ref),\(kinds[(k + 2) % kinds.count]),2026-0\(1 + k % 3)-0\(1 + k % 7),\(ref)-e2,,\n"  // unchanged
            if k % 3 == 0 { later += "\(ref),review,2026-10-0\(1 + k % 9)T11:00,\(ref)-fix,\(ref)-e3,\n" }
            if k % 4 == 0 { later += "\(ref),\(kinds[(k + 5) % kinds.count]),2026-\(String(format: "%02d", 4 + (k * 5) % 6))-15T09:30,\(ref)-e5,,1\n" }
            later += "\(ref),visit,2026-11-0\(1 + k % 9)T15:00,\(ref)-new,,\n"
            // At the very instant of a stored event: the store's order (time, then as recorded) decides.
            if k % 2 == 0 { later += "\(ref),review,2026-\(String(format: "%02d", 4 + (k * 3) % 6))-13T09:30,\(ref)-same,,\n" }
        }
        let second = try s.importFile(try write("later.csv", later), actor: "t", now: now)
        #expect(second.changed > 40 && second.changed < second.rows)
        try expectAsIfReadBack(s, "corrections and withdrawals")
        #expect(try s.verifyAudit().problem == nil)
    }

    /// Two events files in one import, a case's rows in both: the first sorted by date (no case's rows
    /// together), the second grouped by case, withdrawing an event the first added and one it adds itself.
    @Test func aCaseWhoseRowsSpanTwoFilesOfOneImportIsRecomputedAsStored() throws {
        let s = try store()
        var cases = "case_ref,plan,calendar,social-worker,permanence-sw\n"
        for k in 1...20 { cases += "D\(k),\(k % 2 == 0 ? "adoption" : "long-term-fostering"),england-and-wales,sw1,sw2\n" }
        _ = try s.importFile(try write("cases.csv", cases), actor: "t", now: now)
        var dated = "case_ref,event,at,event_id\n"
        for day in 1...9 {
            for k in 1...20 {
                let kind = day == 1 ? "became-looked-after" : day == 2 ? "placed" : day % 3 == 0 ? "review" : "visit"
                dated += "D\(k),\(kind),2026-0\(day)-0\(1 + k % 9)T10:00,D\(k)-\(day)\n"
            }
        }
        var grouped = "case_ref,event,at,event_id,withdrawn\n"
        for k in 1...20 {
            grouped += "D\(k),visit,2026-10-01T10:00,D\(k)-late,\n"
            if k % 3 == 0 { grouped += "D\(k),visit,2026-05-0\(1 + k % 9)T10:00,D\(k)-5,1\n" }  // from the first file
            if k % 4 == 0 { grouped += "D\(k),visit,2026-10-01T10:00,D\(k)-late,1\n" }  // from this file
        }
        let reports = try s.importFiles([try write("dated.csv", dated), try write("grouped.csv", grouped)], actor: { _ in "t" }, now: now)
        #expect(reports.map(\.changed) == [180, 20 + 6 + 5])
        try expectAsIfReadBack(s, "two files")
    }

    /// A cases row refused after its case was inserted (a worker the store does not know), with events for
    /// that case in the same import: nothing of the import is kept.
    @Test func aCasesRowRefusedAfterItsInsertLeavesNothing() throws {
        let s = try store()
        let before = try s.summary(now: now)
        let cases = try write("cases.csv", "case_ref,plan,calendar,social-worker\nR1,adoption,england-and-wales,sw1\nR2,adoption,england-and-wales,nobody\n")
        let events = try write("events.csv", "case_ref,event,at,event_id\nR2,became-looked-after,2026-03-01T10:00,r2\nR1,became-looked-after,2026-03-01T10:00,r1\n")
        #expect { try s.importFiles([cases, events], actor: { _ in "t" }, now: now) } throws: { error in
            guard let e = error as? CSVErrors else { return false }
            return e.issues.map { "\($0.file.hasSuffix("cases.csv")) \($0.line) \($0.column)" } == ["true 3 worker_id"]
        }
        let after = try s.summary(now: now)
        #expect(after.events == before.events && after.auditEntries == before.auditEntries)
        #expect(try s.openCase("R1") == nil && s.openCase("R2") == nil)
        #expect(try s.deadlineRows().isEmpty)
    }

    /// The rows are checked on a thread of their own while the import writes: a problem the check finds (a
    /// date that does not exist, at the very end) is reported as the file's problem, even where the writer had
    /// already met one of its own further up (a closed case), and nothing is kept.
    @Test func theChecksProblemsAreReportedAndNothingIsKept() throws {
        let s = try store()
        try s.openCase(ChildCase(reference: "A", plan: "adoption", calendar: "england-and-wales"), openedAt: nil, actor: "t", now: now)
        try s.openCase(ChildCase(reference: "Z", plan: "adoption", calendar: "england-and-wales"), openedAt: nil, actor: "t", now: now)
        try s.closeCase("Z", at: now, actor: "t", now: now)
        var text = "case_ref,event,at,event_id\nZ,visit,2026-02-01T10:00,z1\n"
        for i in 0..<30_000 { text += "A,visit,2026-02-01T10:00,a\(i)\n" }
        text += "A,visit,2026-02-30,bad\n"
        let before = try s.summary(now: now)
        #expect { try s.importFile(try write("events.csv", text), actor: "t", now: now) } throws: { error in
            guard let e = error as? CSVErrors, !e.isTemporary else { return false }
            return e.issues.map { "\($0.line) \($0.column)" } == ["30003 at"]
        }
        #expect(try s.summary(now: now).events == before.events)
        #expect(try s.summary(now: now).auditEntries == before.auditEntries)
        // Without the bad date, the writer's own problem stands.
        text.removeLast("A,visit,2026-02-30,bad\n".count)
        #expect { try s.importFile(try write("events2.csv", text), actor: "t", now: now) } throws: { error in
            guard let e = error as? CSVErrors else { return false }
            return e.issues.count == 1 && e.issues[0].line == 2 && e.issues[0].message.contains("closed")
        }
        #expect(try s.summary(now: now).events == before.events)
    }
}
