import Foundation
import GRDB
import PermanenceCore
import Synchronization
import TestSupport
import Testing

@testable import PermanenceStore

/// A transaction that writes most of the deadline table sets the agendas' indexes aside and builds them again
/// before it commits. These tests hold it to the slow way: the same deadlines, the same indexes (same
/// statements, a sound file, agendas that read them), and nothing set aside once it is over, whether it
/// commits or is refused.
@Suite struct DeadlineIndexesTests {
    let set: RuleSet
    let dir: URL
    let now = instant("2026-11-23T10:00")

    init() throws {
        set = try shippedRuleSet()
        dir = try scratchDirectory("deadline-indexes")
    }

    func write(_ name: String, _ text: String) throws -> String { try writeFile(name, text, in: dir) }

    /// The indexes a store's writer dropped, as it said them.
    final class Dropped: Sendable {
        let statements = Mutex<[String]>([])
        var count: Int { statements.withLock { $0.count } }
    }

    /// A store with a team, whose writer reports each index it drops to `dropped`.
    func store(_ name: String, firstLook: Int, dropped: Dropped? = nil) throws -> Store {
        let s = try Store(path: dir.appendingPathComponent(name).path, ruleSet: set)
        s.deadlineIndexesFirstLook.store(firstLook, ordering: .relaxed)
        try s.addWorker(Worker(id: "tm", name: "Team Manager", roles: ["team-manager"]), actor: "t", now: now)
        for w in ["sw1", "sw2"] {
            try s.addWorker(Worker(id: w, name: w, roles: ["social-worker", "permanence-sw"], manager: "tm"), actor: "t", now: now)
        }
        if let dropped {
            s.pool.writeWithoutTransaction { db in
                db.trace { event in
                    let sql = "\(event)"
                    if sql.hasPrefix("DROP INDEX") { dropped.statements.withLock { $0.append(sql) } }
                }
            }
        }
        return s
    }

    /// `count` cases of several plans, each looked after and placed, with visits and reviews.
    func files(_ prefix: String, count: Int) throws -> (cases: String, events: String) {
        let plans = ["adoption", "long-term-fostering", "reunification", "special-guardianship"]
        var cases = "case_ref,plan,calendar,social-worker,permanence-sw,team-manager\n"
        var events = "case_ref,event,at,event_id\n"
        for k in 1...count {
            let ref = "\(prefix)\(k)"
            cases += "\(ref),\(plans[k % 4]),\(k % 5 == 4 ? "scotland" : "england-and-wales"),sw\(1 + k % 2),sw\(2 - k % 2),tm\n"
            events += "\(ref),became-looked-after,2026-0\(1 + k % 6)-0\(1 + k % 9)T10:00,\(ref)-1\n"
            events += "\(ref),placed,2026-0\(1 + k % 6)-1\(k % 9)T10:00,\(ref)-2\n"
            events += "\(ref),visit,2026-0\(7 + k % 3)-2\(k % 8)T10:00,\(ref)-3\n"
            events += "\(ref),review,2026-\(10 + k % 3)-0\(1 + k % 9)T10:00,\(ref)-4\n"
        }
        return (try write("\(prefix)-cases.csv", cases), try write("\(prefix)-events.csv", events))
    }

    /// The deadline table's indexes, as the statements that create them.
    func indexes(_ s: Store) throws -> [String] {
        try s.pool.read { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deadline' AND sql IS NOT NULL ORDER BY name")
        }
    }

    func agendas(_ s: Store) throws -> [String] {
        let at = instant("2026-11-01T09:00")
        return try [Store.AgendaScope.everyone, .team(manager: "tm"), .worker("sw1")].flatMap { scope in
            try s.agenda(scope, within: 30 * 86_400, overdueOnly: false, now: at).map { "\($0.caseRef) \($0.ruleID) \($0.dueAt.seconds) \($0.status)" }
        }
    }

    @Test func aFirstImportSetsTheIndexesAsideAndBuildsThemAgainAsTheyWere() throws {
        let dropped = Dropped()
        let bulk = try store("bulk.sqlite", firstLook: 10, dropped: dropped)
        let kept = try store("kept.sqlite", firstLook: Int.max)
        let schema = try indexes(kept)
        #expect(schema.count == 3, "the agendas' indexes: \(schema)")
        let (cases, events) = try files("B", count: 60)
        for s in [bulk, kept] {
            _ = try s.importFile(cases, actor: "t", now: now)
            let r = try s.importFile(events, actor: "t", now: now)
            #expect(r.changed == 240)
        }
        // The bulk store's import did set them aside (an empty table, more than ten deadlines written)...
        #expect(dropped.count == schema.count)
        #expect(bulk.deadlineIndexesRebuilt.load(ordering: .relaxed) == 1)
        #expect(kept.deadlineIndexesRebuilt.load(ordering: .relaxed) == 0)
        // ... and ends with the same deadlines, the same indexes, a sound file, and agendas that use them.
        let stored = try bulk.deadlineRows()
        #expect(stored.count > 60)
        #expect(stored == (try kept.deadlineRows()))
        #expect(try indexes(bulk) == schema)
        #expect(try bulk.pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
        let listed = try agendas(bulk)
        #expect(!listed.isEmpty)
        #expect(listed == (try agendas(kept)))
        let plan = try bulk.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT case_ref FROM deadline WHERE closes_at IS NULL AND due_at <= 1").map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("deadline_open_agenda") }, "\(plan)")
        // The connection's own settings are back: the sort's temporary files were a moment's.
        let settings = try bulk.pool.writeWithoutTransaction { db in
            [try Int.fetchOne(db, sql: "PRAGMA temp_store"), try Int.fetchOne(db, sql: "PRAGMA cache_size"), try Int.fetchOne(db, sql: "PRAGMA threads")]
        }
        #expect(settings == [2, -65536, 0])
        #expect(try bulk.verifyAudit().problem == nil)
    }

    @Test func aSmallImportIntoAFullerTableKeepsThem() throws {
        let dropped = Dropped()
        let s = try store("s.sqlite", firstLook: 10, dropped: dropped)
        let (cases, events) = try files("F", count: 60)
        _ = try s.importFile(cases, actor: "t", now: now)
        _ = try s.importFile(events, actor: "t", now: now)
        #expect(dropped.count == 3)
        let before = try s.deadlineRows().count
        // Ten more cases: more than ten deadlines written, far fewer than the table holds.
        let (moreCases, moreEvents) = try files("G", count: 10)
        _ = try s.importFile(moreCases, actor: "t", now: now)
        _ = try s.importFile(moreEvents, actor: "t", now: now)
        #expect(try s.deadlineRows().count > before)
        #expect(dropped.count == 3, "kept, not dropped again")
        #expect(try indexes(s).count == 3)
    }

    @Test func aRefusedImportLeavesTheIndexesAndDeadlinesAsTheyWere() throws {
        let dropped = Dropped()
        let s = try store("s.sqlite", firstLook: 10, dropped: dropped)
        let (cases, _) = try files("R", count: 60)
        _ = try s.importFile(cases, actor: "t", now: now)
        let schema = try indexes(s)
        let before = try s.deadlineRows()
        // Every case's events, then a bad date on the last line: refused after the indexes were set aside.
        var events = "case_ref,event,at,event_id\n"
        for k in 1...60 {
            events += "R\(k),became-looked-after,2026-02-0\(1 + k % 9)T10:00,R\(k)-1\nR\(k),placed,2026-02-1\(k % 9)T10:00,R\(k)-2\n"
        }
        events += "R1,visit,2026-02-30T10:00,R1-bad\n"
        #expect(throws: CSVErrors.self) { try s.importFile(try write("bad.csv", events), actor: "t", now: now) }
        #expect(dropped.count == 3, "set aside before the refusal")
        #expect(s.deadlineIndexesRebuilt.load(ordering: .relaxed) == 0)
        #expect(try indexes(s) == schema)
        #expect(try s.deadlineRows() == before)
        #expect(try s.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM event") } == 0)
        #expect(try s.pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
    }

    @Test func changedRulesRewriteEveryDeadlineAndBuildTheIndexesOnce() throws {
        let path = dir.appendingPathComponent("rules.sqlite").path
        do {
            let s = try Store(path: path, ruleSet: set)
            try s.addWorker(Worker(id: "tm", name: "Team Manager", roles: ["team-manager"]), actor: "t", now: now)
            for w in ["sw1", "sw2"] {
                try s.addWorker(Worker(id: w, name: w, roles: ["social-worker", "permanence-sw"], manager: "tm"), actor: "t", now: now)
            }
            let (cases, events) = try files("P", count: 40)
            _ = try s.importFile(cases, actor: "t", now: now)
            _ = try s.importFile(events, actor: "t", now: now)
        }
        let schema = try indexes(try Store(path: path, ruleSet: set))
        // The visit after a placement shortened from 72 hours to 48: every open case is recomputed as the store opens.
        let edited = try shippedRuleSet { _, text in text.replacingOccurrences(of: "due = \"72h\"", with: "due = \"48h\"") }
        let s = try Store(path: path, ruleSet: edited)
        #expect(try s.auditEntries().last?.action == "rules.changed")
        #expect(s.deadlineIndexesRebuilt.load(ordering: .relaxed) == 1)
        #expect(try indexes(s) == schema)
        #expect(try s.pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
        // As a recompute of each case, one by one, with the indexes kept throughout, gives.
        let rewritten = try s.deadlineRows()
        #expect(!rewritten.isEmpty)
        #expect(rewritten == (try s.deadlineRowsRecomputedOneByOne()))
    }

    /// The decision alone, on a real table: set aside only once at least `firstLook` deadlines were written
    /// and the table held no more than that before; built again from the same statements.
    @Test func theIndexesAreSetAsideOnlyWhenTheTransactionWroteMostOfTheTable() throws {
        let s = try store("d.sqlite", firstLook: Int.max)
        let (cases, events) = try files("D", count: 30)
        _ = try s.importFile(cases, actor: "t", now: now)
        _ = try s.importFile(events, actor: "t", now: now)
        let rows = try s.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM deadline") } ?? 0
        #expect(rows > 20)
        let schema = try indexes(s)
        try s.pool.writeWithoutTransaction { db in
            try db.inTransaction {
                let early = DeadlineIndexes(firstLook: 10)
                early.wrote(9)
                try early.look(db)
                #expect(early.setAside.isEmpty, "fewer than firstLook written")
                let few = DeadlineIndexes(firstLook: 10)
                few.wrote(rows / 2 - 1)
                try few.look(db)
                #expect(few.setAside.isEmpty, "the table held more before than the transaction wrote")
                let most = DeadlineIndexes(firstLook: 10)
                most.wrote(rows / 2 + 1)
                try most.look(db)
                #expect(most.setAside == schema)
                #expect(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deadline' AND sql IS NOT NULL").isEmpty)
                most.wrote(1_000)
                try most.look(db)  // looks once
                try most.restore(db)
                #expect(most.setAside.isEmpty)
                #expect(most.wereSetAside)
                // Sorted in memory (where no temporary file can be made): the same indexes again.
                let inMemory = DeadlineIndexes(firstLook: 10)
                try inMemory.setAsideNow(db)
                #expect(inMemory.setAside == schema)
                try inMemory.restore(db, sorting: .inMemory)
                #expect(try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deadline' AND sql IS NOT NULL ORDER BY name") == schema)
                #expect(try Int.fetchOne(db, sql: "PRAGMA temp_store") == 2)
                return .commit
            }
        }
        #expect(try indexes(s) == schema)
    }

    /// An index that cannot be built again fails the transaction, and leaves the writer's settings as they were.
    @Test func aFailedBuildPutsTheConnectionsSettingsBack() throws {
        let s = try store("f.sqlite", firstLook: Int.max)
        let (cases, events) = try files("X", count: 5)
        _ = try s.importFile(cases, actor: "t", now: now)
        _ = try s.importFile(events, actor: "t", now: now)
        let settings = ["cache_size", "temp_store", "threads"]
        try s.pool.writeWithoutTransaction { db in
            let before = try settings.map { try Int.fetchOne(db, sql: "PRAGMA \($0)") }
            try db.inTransaction {
                // Unique while no row says "probe"; every row says it by the time it is built again.
                try db.execute(sql: "CREATE UNIQUE INDEX zz_probe ON deadline(reason) WHERE reason = 'probe'")
                let indexes = DeadlineIndexes(firstLook: 1)
                try indexes.setAsideNow(db)
                try db.execute(sql: "UPDATE deadline SET reason = 'probe'")
                #expect(throws: DatabaseError.self) { try indexes.restore(db, sorting: .inFiles) }
                #expect(try settings.map { try Int.fetchOne(db, sql: "PRAGMA \($0)") } == before)
                return .rollback
            }
            #expect(try settings.map { try Int.fetchOne(db, sql: "PRAGMA \($0)") } == before)
        }
        #expect(try indexes(s).count == 3)
    }

    /// A transaction that has opened its temporary database cannot move temporary data to files: the indexes
    /// are sorted in memory, and built all the same.
    @Test func withTheTemporaryDatabaseOpenTheIndexesAreSortedInMemory() throws {
        let s = try store("m.sqlite", firstLook: Int.max)
        let (cases, events) = try files("M", count: 5)
        _ = try s.importFile(cases, actor: "t", now: now)
        _ = try s.importFile(events, actor: "t", now: now)
        let schema = try indexes(s)
        try s.pool.writeWithoutTransaction { db in
            try db.inTransaction {
                try db.execute(sql: "CREATE TEMP TABLE scratch (x)")
                let indexes = DeadlineIndexes(firstLook: 1)
                try indexes.setAsideNow(db)
                try indexes.restore(db, sorting: .inFiles)
                #expect(try Int.fetchOne(db, sql: "PRAGMA temp_store") == 2)
                return .commit
            }
        }
        #expect(try indexes(s) == schema)
    }

    @Test func indexesAreSortedInFilesWhereSQLiteCanMakeOne() {
        // This machine's /tmp takes files; the probe leaves nothing behind.
        let before = (try? FileManager.default.contentsOfDirectory(atPath: "/var/tmp"))?.filter { $0.hasPrefix("permanenced-probe") } ?? []
        #expect(DeadlineIndexes.sorting() == .inFiles)
        let after = (try? FileManager.default.contentsOfDirectory(atPath: "/var/tmp"))?.filter { $0.hasPrefix("permanenced-probe") } ?? []
        #expect(after == before)
    }
}
