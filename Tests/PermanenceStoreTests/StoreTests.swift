import Foundation
import GRDB
import PermanenceCore
import TestSupport
import Synchronization
import Testing

@testable import PermanenceStore

/// Tests on a real SQLite file in a temporary directory.
@Suite struct StoreTests {
    let set: RuleSet
    let dir: URL
    let now = instant("2026-11-23T10:00")

    init() throws {
        set = try shippedRuleSet()
        dir = try scratchDirectory("store")
    }

    func path(_ name: String = "p.sqlite") -> String { dir.appendingPathComponent(name).path }

    func store() throws -> Store { try Store(path: path(), ruleSet: set) }

    func write(_ name: String, _ text: String) throws -> String { try writeFile(name, text, in: dir) }

    /// A store with two workers and one adoption case.
    func seeded() throws -> Store {
        let s = try store()
        try s.addWorker(Worker(id: "tm", name: "Team Manager", roles: ["team-manager"]), actor: "test", now: now)
        try s.addWorker(Worker(id: "sw1", name: "One", roles: ["permanence-sw"], manager: "tm"), actor: "test", now: now)
        try s.addWorker(Worker(id: "sw2", name: "Two", roles: ["permanence-sw"], manager: "tm"), actor: "test", now: now)
        try s.openCase(
            ChildCase(reference: "C1", plan: "adoption", calendar: "england-and-wales", packs: ["leicestershire-family-finding"]),
            openedAt: instant("2026-01-01"), actor: "test", now: now)
        try s.assign(caseRef: "C1", role: "permanence-sw", worker: "sw1", from: instant("2026-01-01"), actor: "test", now: now)
        return s
    }

    func deadline(_ s: Store, _ rule: String) throws -> Row? {
        try s.pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM deadline WHERE case_ref = 'C1' AND rule_id = ?", arguments: [rule]) }
    }

    @Test func aNewStoreIsCreated0600AtTheLatestSchema() throws {
        let s = try store()
        #expect(try s.schemaVersion() == Schema.versions.last)
        let mode = try FileManager.default.attributesOfItem(atPath: path())[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let journal = try s.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    /// The assignments keep one index, their UNIQUE constraint's (v10 dropped a second on its first two
    /// columns), and reading a case's assignments goes through it.
    @Test func aCasesAssignmentsAreReadThroughTheOneIndexTheyKeep() throws {
        let s = try seeded()
        try s.pool.read { db in
            #expect(try String.fetchOne(db, sql: "SELECT name FROM sqlite_master WHERE name = 'assignment_case'") == nil)
            for sql in ["SELECT role, worker_id FROM assignment WHERE case_ref = ? AND to_at IS NULL ORDER BY from_at",
                        "SELECT * FROM assignment WHERE case_ref = ? ORDER BY role, from_at"] {
                let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: ["C1"]).map { $0["detail"] as String }
                #expect(plan.contains { $0.contains("USING INDEX sqlite_autoindex_assignment_1 (case_ref=?)") }, "\(sql): \(plan)")
            }
        }
    }

    @Test func anOlderFileIsUpgradedInPlaceKeepingItsData() throws {
        // Build a file at the first schema version, with data, as the previous release would have.
        let queue = try DatabaseQueue(path: path())
        try Schema.migrator.migrate(queue, upTo: Schema.versions[0])
        try queue.write { db in
            try db.execute(sql: "INSERT INTO worker (id, name) VALUES ('w', 'Worker')")
            try db.execute(sql: "INSERT INTO child_case (ref, plan, calendar) VALUES ('OLD-1', 'adoption', 'england-and-wales')")
            try db.execute(sql: """
                INSERT INTO deadline (case_ref, rule_id, anchor_event, cycle, due_at, met_at, moot_at)
                VALUES ('OLD-1', 'r', 'e', 1, 100, 90, 80)
                """)
        }
        #expect(try queue.read { db in try db.tableExists("notification") } == false)
        // The later migrations derive when each old deadline stopped being open.
        try Schema.migrator.migrate(queue)
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT closes_at FROM deadline WHERE case_ref = 'OLD-1'") } == 80)
        try queue.close()
        let s = try store()
        #expect(try s.schemaVersion() == Schema.versions.last)
        #expect(try s.worker("w")?.name == "Worker")
        #expect(try s.caseWithEvents("OLD-1") != nil)
        #expect(try s.notifications("OLD-1").isEmpty)
    }

    @Test func recordingAnEventKeepsDeadlinesCurrent() throws {
        let s = try seeded()
        try s.record(CaseEvent(id: "p", caseRef: "C1", kind: "placed-for-adoption", at: instant("2026-10-23T14:00")), source: "test", actor: "t", now: now)
        var d = try #require(try deadline(s, "post-placement-visit"))
        #expect(d["due_at"] as Int == instant("2026-10-26T13:00Z").seconds)
        #expect(d["owner_worker"] as String? == "sw1")
        #expect((d["met_event"] as String?) == nil)
        try s.record(CaseEvent(id: "v", caseRef: "C1", kind: "visit", at: instant("2026-10-25T11:00")), source: "test", actor: "t", now: now)
        d = try #require(try deadline(s, "post-placement-visit"))
        #expect(d["met_event"] as String? == "v")
    }

    /// The agenda as of a moment before a visit was made: that visit's deadline was still open then (it closes
    /// later), and is merged in due order with those never met, for everyone, a worker and a team alike.
    @Test func anAgendaAsOfAnEarlierMomentListsDeadlinesMetLaterInDueOrder() throws {
        let s = try seeded()
        try s.openCase(ChildCase(reference: "C2", plan: "adoption", calendar: "england-and-wales"), openedAt: instant("2026-01-01"),
                       actor: "t", now: now)
        try s.assign(caseRef: "C2", role: "permanence-sw", worker: "sw2", from: instant("2026-01-01"), actor: "t", now: now)
        // C1 placed first, C2 an hour later: C1's visit is due first, and is made (late) on the 20th.
        try s.record(CaseEvent(id: "p1", caseRef: "C1", kind: "placed-for-adoption", at: instant("2026-11-10T10:00")), source: "t", actor: "t", now: now)
        try s.record(CaseEvent(id: "p2", caseRef: "C2", kind: "placed-for-adoption", at: instant("2026-11-10T11:00")), source: "t", actor: "t", now: now)
        try s.record(CaseEvent(id: "v1", caseRef: "C1", kind: "visit", at: instant("2026-11-20T10:00")), source: "t", actor: "t", now: now)
        func visits(_ scope: Store.AgendaScope, at t: Instant) throws -> [String] {
            try s.agenda(scope, within: 0, overdueOnly: true, now: t).filter { $0.ruleID == "post-placement-visit" }.map(\.caseRef)
        }
        let before = instant("2026-11-18T12:00")
        #expect(try visits(.everyone, at: before) == ["C1", "C2"])
        #expect(try visits(.worker("sw1"), at: before) == ["C1"])
        #expect(try visits(.team(manager: "tm"), at: before) == ["C1", "C2"])
        #expect(try visits(.everyone, at: now) == ["C2"])
        // The whole list stays in due order, with the later-met deadline in its place, and a limit cuts it there.
        let all = try s.agenda(.everyone, within: 0, overdueOnly: true, now: before)
        #expect(all.map(\.dueAt) == all.map(\.dueAt).sorted())
        let first = try s.agenda(.everyone, within: 0, overdueOnly: true, now: before, limit: 1)
        #expect(first == Array(all.prefix(1)))
        let c1 = try #require(all.first { $0.caseRef == "C1" && $0.ruleID == "post-placement-visit" })
        #expect(c1.status == .overdue && c1.ownerWorker == "sw1" && c1.anchorEvent == "p1" && c1.ownerRole == "permanence-sw")
    }

    @Test func correctionAndWithdrawalReEvaluate() throws {
        let s = try seeded()
        try s.record(CaseEvent(id: "p", caseRef: "C1", kind: "placed-for-adoption", at: instant("2026-10-23T14:00")), source: "t", actor: "t", now: now)
        try s.record(CaseEvent(id: "v", caseRef: "C1", kind: "visit", at: instant("2026-10-25T11:00")), source: "t", actor: "t", now: now)
        // Correct the placement to a day earlier: the visit is now late.
        try s.record(CaseEvent(id: "p2", caseRef: "C1", kind: "placed-for-adoption", at: instant("2026-10-21T14:00"), supersedes: "p"),
            source: "t", actor: "t", now: now)
        var d = try #require(try deadline(s, "post-placement-visit"))
        #expect(d["anchor_event"] as String == "p2")
        #expect(d["met_at"] as Int > d["due_at"] as Int)
        // Withdraw the visit: the deadline is open (overdue) again. Both events stay in the history.
        try s.withdraw(eventID: "v", reason: "recorded on the wrong case", actor: "t", now: now)
        d = try #require(try deadline(s, "post-placement-visit"))
        #expect((d["met_event"] as String?) == nil)
        let (_, events) = try #require(try s.caseWithEvents("C1"))
        #expect(events.map(\.id).sorted() == ["p", "p2", "v"])
        #expect(try s.agenda(.caseRef("C1"), within: 0, overdueOnly: true, now: now).contains { $0.ruleID == "post-placement-visit" })
    }

    @Test func badInputIsRefusedAndChangesNothing() throws {
        let s = try seeded()
        let before = try s.summary(now: now)
        let cases: [(CaseEvent, String)] = [
            (CaseEvent(id: "a", caseRef: "NOPE", kind: "visit", at: now), "unknown case 'NOPE'"),
            (CaseEvent(id: "b", caseRef: "C1", kind: "vist", at: now), "unknown event 'vist' (did you mean 'visit'?)"),
            (CaseEvent(id: "c", caseRef: "C1", kind: "visit", at: instant("2025-06-01")), "before case 'C1' was opened"),
            (CaseEvent(id: "d", caseRef: "C1", kind: "visit", at: now, supersedes: "zzz"), "which is not recorded"),
        ]
        for (e, message) in cases {
            #expect { try s.record(e, source: "t", actor: "t", now: now) } throws: { ($0 as? Store.Failure)?.description.contains(message) == true }
        }
        try s.record(CaseEvent(id: "x", caseRef: "C1", kind: "visit", at: now), source: "t", actor: "t", now: now)
        #expect { try s.record(CaseEvent(id: "x", caseRef: "C1", kind: "review", at: now), source: "t", actor: "t", now: now) } throws: {
            ($0 as? Store.Failure)?.description.contains("already recorded with different content") == true
        }
        #expect(throws: Store.Failure.self) { try s.assign(caseRef: "C1", role: "permanence-sw", worker: "ghost", from: now, actor: "t", now: now) }
        #expect(throws: Store.Failure.self) { try s.assign(caseRef: "C1", role: "wizard", worker: "sw1", from: now, actor: "t", now: now) }
        #expect(throws: Store.Failure.self) { try s.addWorker(Worker(id: "sw1", name: "Dup"), actor: "t", now: now) }
        let after = try s.summary(now: now)
        #expect(after.events == before.events + 1)
        #expect(after.auditEntries == before.auditEntries + 1)
    }

    @Test func reassignmentAndAbsenceChangeWhoIsNotified() throws {
        let s = try seeded()
        try s.record(CaseEvent(id: "p", caseRef: "C1", kind: "placed-for-adoption", at: instant("2026-11-21T11:00")), source: "t", actor: "t", now: now)
        #expect(try s.agenda(.worker("sw1"), within: 7 * 86_400, overdueOnly: false, now: now).contains { $0.ruleID == "post-placement-visit" })
        try s.assign(caseRef: "C1", role: "permanence-sw", worker: "sw2", from: now, actor: "t", now: now)
        #expect(try s.agenda(.worker("sw1"), within: 7 * 86_400, overdueOnly: false, now: now).isEmpty)
        #expect(try s.agenda(.worker("sw2"), within: 7 * 86_400, overdueOnly: false, now: now).contains { $0.ruleID == "post-placement-visit" })
        #expect(try s.agenda(.team(manager: "tm"), within: 7 * 86_400, overdueOnly: false, now: now).count
            == s.agenda(.worker("sw2"), within: 7 * 86_400, overdueOnly: false, now: now).count)
        let history = try s.assignmentHistory("C1")
        #expect(history.map(\.worker) == ["sw1", "sw2"])
        #expect(history[0].to == now)
        // Absence: the deputy covers; without a deputy, the manager does.
        try s.addAbsence(Absence(worker: "sw2", from: date("2026-11-23"), to: date("2026-11-27"), deputy: "sw1"), actor: "t", now: now)
        #expect(try s.cover(for: "sw2", on: date("2026-11-24")) == "sw1")
        #expect(try s.cover(for: "sw2", on: date("2026-11-30")) == "sw2")
        try s.addAbsence(Absence(worker: "sw1", from: date("2026-11-24"), to: date("2026-11-24"), deputy: nil), actor: "t", now: now)
        #expect(try s.cover(for: "sw2", on: date("2026-11-24")) == "tm")
    }

    /// The writer keeps a large page cache for imports; readers, which the daemon may hold several of, a small one.
    @Test func onlyTheWriterHasALargePageCache() throws {
        let s = try seeded()
        #expect(try s.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") } == -65536)
        #expect(try s.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") } == -8192)
        #expect(try s.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA temp_store") } == 2)
    }

    @Test func changedRulesRecomputeStoredDeadlinesOnOpen() throws {
        do {
            let s = try seeded()
            try s.record(CaseEvent(id: "p", caseRef: "C1", kind: "placed-for-adoption", at: instant("2026-10-23T14:00")), source: "t", actor: "t", now: now)
            #expect(try deadline(s, "post-placement-visit")?["due_at"] as Int? == instant("2026-10-26T13:00Z").seconds)
        }
        // An admin shortens the visit to 48 hours; the next opening of the store recomputes.
        let edited = try shippedRuleSet { name, text in
            name.hasSuffix("leicestershire-family-finding.toml") ? text.replacingOccurrences(of: "due = \"72h\"", with: "due = \"48h\"") : text
        }
        let s = try Store(path: path(), ruleSet: edited)
        #expect(try deadline(s, "post-placement-visit")?["due_at"] as Int? == instant("2026-10-25T13:00Z").seconds)
        #expect(try s.auditEntries().last?.action == "rules.changed")
        #expect(try s.verifyAudit().problem == nil)
    }

    @Test func aWithdrawalIsARowOfItsOwnAndTheEventIsUntouched() throws {
        let s = try seeded()
        try s.record(CaseEvent(id: "v", caseRef: "C1", kind: "visit", at: now), source: "t", actor: "t", now: now)
        let before = try s.pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = 'v'") }
        try s.withdraw(eventID: "v", reason: "wrong child", actor: "t", now: now)
        let after = try s.pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = 'v'") }
        #expect(before == after)
        #expect(try s.pool.read { db in try String.fetchOne(db, sql: "SELECT reason FROM withdrawal WHERE event_id = 'v'") } == "wrong child")
        #expect(throws: Store.Failure.self) { try s.withdraw(eventID: "v", reason: "again", actor: "t", now: now) }
    }

    @Test func theAuditChainDetectsAnEditedRow() throws {
        let s = try seeded()
        #expect(try s.verifyAudit().problem == nil)
        let entries = try s.verifyAudit().entries
        #expect(entries == 5)
        try s.pool.write { db in try db.execute(sql: "UPDATE audit SET detail = 'roles=service-manager manager=-' WHERE seq = 2") }
        let broken = try s.verifyAudit()
        #expect(broken.problem?.hasPrefix("entry 2 ") == true)
        #expect(broken.problem?.contains("altered") == true)
        #expect(broken.entries == 1)
    }

    @Test func theAuditChainDetectsADeletedRow() throws {
        let s = try seeded()
        try s.pool.write { db in try db.execute(sql: "DELETE FROM audit WHERE seq = 3") }
        #expect(try s.verifyAudit().problem?.contains("entry 3 is missing") == true)
    }

    /// Edits of the store file alone cannot hide: a cut tail and a chain rebuilt from scratch (without the
    /// key) are both found, and said apart.
    @Test func theAuditChainDetectsACutTailAndARewrittenChain() throws {
        let s = try seeded()
        let total = try s.verifyAudit().entries
        #expect(try total > 3 && s.verifyAudit().problem == nil)
        // Cut the newest entries: the head file, beside the store, still names the last one.
        let copy = try store()
        try copy.pool.write { db in try db.execute(sql: "DELETE FROM audit WHERE seq > 2") }
        let cut = try s.verifyAudit()
        #expect(cut.problem?.contains("the tail was cut") == true, "\(cut.problem ?? "intact")")
        #expect(cut.problem?.contains("\(total - 2) entries missing") == true)
    }

    /// Whoever can edit the store file can usually edit the head file beside it: cut the tail and write a
    /// head file that agrees. The journal's head, out of their reach, still shows the cut, and a chain
    /// whose entry at the journal's head differs shows as rewritten.
    @Test func theJournalsHeadShowsACutTailTheHeadFileWasMadeToAgreeWith() throws {
        let s = try seeded()
        let rows = try s.pool.read { db in try Row.fetchAll(db, sql: "SELECT seq, hash FROM audit ORDER BY seq") }
        let last = try #require(rows.last)
        let journalHead = (seq: last["seq"] as Int, hash: last["hash"] as String)
        #expect(try s.verifyAudit(journalHeads: [journalHead]).problem == nil)
        try s.pool.write { db in try db.execute(sql: "DELETE FROM audit WHERE seq > 2") }
        try AuditHead(seq: 2, hash: rows[1]["hash"], keyedFrom: 1).write(beside: s.path)
        #expect(try s.verifyAudit().problem == nil, "the head file was made to agree: only the journal can tell")
        // A head forged afterwards to agree with the cut chain does not hide the genuine one.
        let cut = try s.verifyAudit(journalHeads: [journalHead, (2, rows[1]["hash"] as String)])
        #expect(cut.problem?.contains("the journal records entry \(journalHead.seq)") == true, "\(cut.problem ?? "intact")")
        #expect(try s.verifyAudit(journalHeads: [(2, String(repeating: "a", count: 64))]).problem?.contains("rewritten") == true)
    }

    /// A key other than the one the chain was written with (a key file replaced since) is refused before it
    /// writes anything: its entries would make every later check of the chain fail.
    @Test func aDifferentAuditKeyIsRefusedBeforeItWrites() throws {
        let seededStore = try seeded()
        let before = try seededStore.verifyAudit().entries
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: seededStore.path + ".audit-key"))
        let s = try store()
        #expect {
            try s.addWorker(Worker(id: "sw3", name: "Three", roles: ["permanence-sw"], manager: "tm"), actor: "test", now: now)
        } throws: { "\($0)".contains("is not the one the audit log was written with") }
        #expect(try s.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit") } == before)
        #expect(try s.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM worker WHERE id = 'sw3'") } == 0)
    }

    /// The audit key and the heads staged for a commit belong to each store: a second store opened in the same
    /// process (with another key, or on another file) changes nothing for the first.
    @Test func eachStoreKeepsItsOwnAuditKeyAndHeads() throws {
        let first = try seeded()
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: first.path + ".audit-key"))
        let second = try store()
        try first.addWorker(Worker(id: "sw3", name: "Three", roles: ["permanence-sw"], manager: "tm"), actor: "test", now: now)
        #expect {
            try second.addWorker(Worker(id: "sw4", name: "Four", roles: ["permanence-sw"], manager: "tm"), actor: "test", now: now)
        } throws: { "\($0)".contains("is not the one the audit log was written with") }
        #expect(try first.verifyAudit().problem == nil)

        // Heads go to the sink of the store that committed them, once per transaction.
        let heads = Mutex<[String]>([])
        let a = try Store(path: path("a.sqlite"), ruleSet: set, auditHeads: { store, seq, _ in heads.withLock { $0.append("a \(store.hasSuffix("a.sqlite")) \(seq)") } })
        let b = try Store(path: path("b.sqlite"), ruleSet: set, auditHeads: { store, seq, _ in heads.withLock { $0.append("b \(store.hasSuffix("b.sqlite")) \(seq)") } })
        try a.addWorker(Worker(id: "x", name: "X", roles: ["permanence-sw"]), actor: "test", now: now)
        try b.addWorker(Worker(id: "y", name: "Y", roles: ["permanence-sw"]), actor: "test", now: now)
        try b.addWorker(Worker(id: "z", name: "Z", roles: ["permanence-sw"]), actor: "test", now: now)
        #expect(heads.withLock { $0 } == ["a true 1", "b true 1", "b true 2"])
    }

    @Test func aChainRebuiltWithoutTheKeyIsFound() throws {
        let s = try seeded()
        // An attacker edits an entry and recomputes every link with plain SHA-256 (they have the store,
        // not the key).
        try s.pool.write { db in
            try db.execute(sql: "UPDATE audit SET detail = 'nothing to see' WHERE seq = 2")
            var prev = Store.genesisHash
            for row in try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY seq") {
                let h = Store.hash(prev: prev, seq: row["seq"], at: row["at"], actor: row["actor"], action: row["action"], subject: row["subject"], detail: row["detail"])
                try db.execute(sql: "UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", arguments: [prev, h, row["seq"] as Int])
                prev = h
            }
            try db.execute(sql: "DELETE FROM meta WHERE key = 'audit-keyed-from'")
        }
        let v = try s.verifyAudit()
        #expect(v.problem != nil, "a rebuilt chain passed")
        #expect(v.problem?.contains("rewritten") == true, "\(v.problem ?? "")")
    }

    @Test func importIsAllOrNothingEvenWithABadRowAtTheEndOfALargeFile() throws {
        let s = try seeded()
        var text = "case_ref,event,at,event_id\n"
        for i in 0..<20_000 { text += "C1,visit,2026-02-01T10:00,e\(i)\n" }
        text += "C1,visit,2026-02-31,bad\n"
        let file = try write("events.csv", text)
        let before = try s.summary(now: now)
        #expect { try s.importFile(file, actor: "t", now: now) } throws: { error in
            guard let e = error as? CSVErrors else { return false }
            return e.issues.count == 1 && e.issues[0].line == 20_002 && e.issues[0].column == "at"
        }
        let after = try s.summary(now: now)
        #expect(after.events == before.events)
        #expect(after.auditEntries == before.auditEntries)
    }

    /// Rows are checked before the import writes, but a cases file that cannot be read twice (a pipe) is
    /// read only once, as it is applied: the events of the cases it opens are not refused as of unknown cases.
    @Test func eventsOfCasesOpenedByAPipedCasesFileAreNotRefused() throws {
        let s = try seeded()
        /// A named pipe a thread writes the cases file into (it blocks until the import opens it).
        func piped(_ name: String) -> String {
            let fifo = path(name)
            #expect(mkfifo(fifo, 0o600) == 0)
            Thread {
                let h = FileHandle(forWritingAtPath: fifo)!
                h.write(Data("case_ref,plan,calendar,packs\nP1,adoption,england-and-wales,leicestershire-family-finding\n".utf8))
                try? h.close()
            }.start()
            return fifo
        }
        let fifo = piped("cases.fifo")
        let events = try write("events.csv", "case_ref,event,at,event_id\nP1,placed-for-adoption,2026-10-23T14:00,p1\nNOPE,visit,2026-10-24,n1\n")
        // NOPE is unknown whatever the pipe holds: it is found when the rows are applied, as before.
        #expect { try s.importFiles([fifo, events], actor: { _ in "t" }, now: now) } throws: { error in
            guard let e = error as? CSVErrors else { return false }
            return e.issues.count == 1 && e.issues[0].message.contains("unknown case 'NOPE'") && e.issues[0].line == 3
        }
        // Without it, the piped case and its event go in together.
        let fifo2 = piped("cases2.fifo")
        let good = try write("events2.csv", "case_ref,event,at,event_id\nP1,placed-for-adoption,2026-10-23T14:00,p1\n")
        let reports = try s.importFiles([fifo2, good], actor: { _ in "t" }, now: now)
        #expect(reports.map(\.rows) == [1, 1])
    }

    /// An import whose statements are interrupted (the daemon stopping) fails as a passing problem, its file
    /// to be tried again, never as a problem of the row that happened to be running; and nothing is written.
    @Test func anInterruptedImportIsAPassingFailureNeverTheRowsFault() throws {
        let s = try seeded()
        var text = "case_ref,event,at,event_id\n"
        for i in 0..<20_000 { text += "C1,visit,2026-02-01T10:00,i\(i)\n" }
        let file = try write("events.csv", text)
        let before = try s.summary(now: now)
        let stop = Atomic<Bool>(false)
        let ended = Atomic<Bool>(false)
        let interrupter = Thread {
            while !stop.load(ordering: .relaxed) {
                s.pool.interrupt()
                usleep(200)
            }
            ended.store(true, ordering: .relaxed)
        }
        interrupter.start()
        defer { stop.store(true, ordering: .relaxed) }
        var failures = 0
        for _ in 0..<5 where failures == 0 {
            do {
                _ = try s.importFile(file, actor: "t", now: now)
            } catch {
                failures += 1
                #expect(error.isTemporary, "an interrupted import is refused as the file's fault: \(error.issues.map(\.message))")
            }
        }
        stop.store(true, ordering: .relaxed)
        while !ended.load(ordering: .relaxed) { usleep(1000) }
        try #require(failures > 0, "no statement was interrupted")
        #expect(try s.summary(now: now).events == before.events)
    }

    @Test func reImportingAddsNothingTwice() throws {
        let s = try seeded()
        let file = try write("events.csv", """
            case_ref,event,at,event_id
            C1,placed-for-adoption,2026-10-23T14:00,p
            C1,visit,2026-10-25T11:00,
            """)
        let first = try s.importFile(file, actor: "t", now: now)
        #expect(first.rows == 2 && first.changed == 2 && first.kind == .events)
        let again = try s.importFile(file, actor: "t", now: now)
        #expect(again.changed == 0)
        // An overlapping nightly export: one old row, one new.
        let overlap = try write("events2.csv", """
            case_ref,event,at,event_id
            C1,visit,2026-10-25T11:00,
            C1,review,2026-11-19T13:00,r
            """)
        #expect(try s.importFile(overlap, actor: "t", now: now).changed == 1)
        #expect(try s.summary(now: now).events == 3)
    }

    @Test func aWorkersDisplayNameIsImportedKeptAndCleared() throws {
        let s = try seeded()
        let file = try write("workers-names.csv", """
            worker_id,name,email,roles,manager_id,display_name
            w7,"Okafor, Sam (Team A)",sam@example.org,social-worker,,Sam Okafor
            w8,"Ó Súilleabháin, Łucja",l@example.org,team-manager,,
            """)
        _ = try s.importFile(file, actor: "t", now: now)
        #expect(try s.worker("w7")?.displayName == "Sam Okafor")
        #expect(try s.worker("w8")?.displayName == nil)
        // The same file again changes nothing; a new display name is an update.
        #expect(try s.importFile(file, actor: "t", now: now).changed == 0)
        var w = try #require(try s.worker("w7"))
        w.displayName = nil
        try s.updateWorker(w, actor: "t", now: now)
        #expect(try s.worker("w7")?.displayName == nil && s.worker("w7")?.name == "Okafor, Sam (Team A)")
    }

    @Test func aWorkerOrCaseTwiceInOneFileAndAManagerLoopAreRefusedChangingNothing() throws {
        let s = try seeded()
        let before = try s.summary(now: now)
        let twice = try write("workers-twice.csv", """
            worker_id,name,email,roles,manager_id
            w9,Nine,nine@example.org,social-worker,
            w9,Nine Again,nine2@example.org,social-worker,
            """)
        #expect { try s.importFile(twice, actor: "t", now: now) } throws: { error in
            let i = (error as? CSVErrors)?.issues ?? []
            return i.count == 1 && i[0].line == 3 && i[0].column == "worker_id" && i[0].message.contains("first at line 2")
        }
        let loop = try write("workers-loop.csv", """
            worker_id,name,email,roles,manager_id
            ma,Manager A,a@example.org,team-manager,mb
            mb,Manager B,b@example.org,team-manager,ma
            """)
        #expect { try s.importFile(loop, actor: "t", now: now) } throws: { error in
            let i = (error as? CSVErrors)?.issues ?? []
            return !i.isEmpty && i.allSatisfy { $0.column == "manager_id" && $0.message.contains("circle") }
        }
        #expect(try s.worker("ma") == nil && s.worker("w9") == nil)
        let cases = try write("cases-twice.csv", """
            case_ref,plan,calendar
            N1,adoption,england-and-wales
            N1,reunification,england-and-wales
            """)
        #expect { try s.importFile(cases, actor: "t", now: now) } throws: { error in
            (error as? CSVErrors)?.issues.map(\.line) == [3]
        }
        let after = try s.summary(now: now)
        #expect(after.openCases == before.openCases && after.workers == before.workers && after.auditEntries == before.auditEntries)
    }

    /// A cases file: each row one audit entry naming what it set (the case and the roles it assigned), the
    /// chain intact; a re-import changes nothing; a reassignment of an existing case is recorded as such.
    @Test func aCasesFileRowIsOneAuditEntryAndTheChainHolds() throws {
        let s = try seeded()
        let before = try s.summary(now: now).auditEntries
        let file = try write("cases.csv", """
            case_ref,plan,calendar,permanence-sw,team-manager
            N1,adoption,england-and-wales,sw1,tm
            N2,reunification,scotland,sw2,
            """)
        let r = try s.importFile(file, actor: "t", now: now)
        #expect(r.changed == 2 && r.casesRecomputed == 2)
        #expect(try s.summary(now: now).auditEntries == before + 3)  // two rows and the file
        #expect(try s.openCase("N1")?.0.assignments == ["permanence-sw": "sw1", "team-manager": "tm"])
        #expect(try s.openCase("N2")?.0.assignments == ["permanence-sw": "sw2"])
        let entries = try s.pool.read { db in try Row.fetchAll(db, sql: "SELECT action, subject, detail FROM audit ORDER BY seq DESC LIMIT 3") }
        #expect(entries.map { $0["action"] as String } == ["import.cases", "case.open", "case.open"])
        // The file's entry names its bytes' SHA-256 (computed here by the core's own implementation).
        let bytes = try String(contentsOfFile: file, encoding: .utf8)
        #expect((entries[0]["detail"] as String).hasPrefix("sha256=\(PermanenceCore.SHA256.hex(bytes)) rows=2 "), "\(entries[0]["detail"] as String)")
        #expect(entries[1]["detail"] as String == "plan=reunification calendar=scotland packs= assigned permanence-sw=sw2 from \(now.seconds)")
        #expect(entries[2]["detail"] as String
            == "plan=adoption calendar=england-and-wales packs= assigned permanence-sw=sw1 team-manager=tm from \(now.seconds)")
        #expect(try s.verifyAudit().problem == nil)
        #expect(try s.importFile(file, actor: "t", now: now).changed == 0)
        let moved = try write("moved.csv", "case_ref,plan,calendar,permanence-sw\nN2,reunification,scotland,sw1\n")
        #expect(try s.importFile(moved, actor: "t", now: now.adding(seconds: 60)).changed == 1)
        #expect(try s.assignmentHistory("N2").map(\.worker) == ["sw2", "sw1"])
        let last = try s.pool.read { db in try Row.fetchOne(db, sql: "SELECT action, detail FROM audit WHERE action LIKE 'case.%' ORDER BY seq DESC LIMIT 1") }
        #expect(last?["action"] as String? == "case.assign")
        #expect(last?["detail"] as String? == "plan=reunification calendar=scotland packs= assigned permanence-sw=sw1 from \(now.seconds + 60)")
        // Packs given, and no role changed: the packs listed with commas, and nothing said of roles.
        let packs = try write("packs.csv", "case_ref,plan,calendar,packs\nN1,adoption,england-and-wales,england-statutory england-adoption-statutory\n")
        #expect(try s.importFile(packs, actor: "t", now: now.adding(seconds: 120)).changed == 1)
        let updated = try s.pool.read { db in try Row.fetchOne(db, sql: "SELECT action, detail FROM audit WHERE action LIKE 'case.%' ORDER BY seq DESC LIMIT 1") }
        #expect(updated?["action"] as String? == "case.update")
        #expect(updated?["detail"] as String? == "plan=adoption calendar=england-and-wales packs=england-statutory,england-adoption-statutory")
        #expect(try s.verifyAudit().problem == nil)
    }

    @Test func workerAndAssignmentFilesImport() throws {
        let s = try seeded()
        let workers = try write("workers.csv", """
            worker_id,name,email,roles,manager_id
            sw3,Three,three@example.org,social-worker,late
            late,Late Manager,late@example.org,team-manager,
            """)
        #expect(try s.importFile(workers, actor: "t", now: now).changed == 2)
        #expect(try s.worker("sw3")?.manager == "late")
        let assignments = try write("assign.csv", """
            case_ref,role,worker_id,from
            C1,social-worker,sw3,2026-02-01
            """)
        #expect(try s.importFile(assignments, actor: "t", now: now).kind == .assignments)
        #expect(try s.assignmentHistory("C1").contains { $0.worker == "sw3" })
        let bad = try write("bad.csv", """
            worker_id,name,email,roles,manager_id
            sw4,Four,not-an-email,wizard,nobody
            """)
        #expect { try s.importFile(bad, actor: "t", now: now) } throws: { error in
            (error as? CSVErrors)?.issues.map(\.column) == ["email", "roles"]
        }
        #expect(try s.worker("sw4") == nil)
    }

    @Test(arguments: ["jones,k", "a=b", "two words", "tab\there", "-lead", "é.accent", String(repeating: "x", count: 65)])
    func workerIdsOutsideTheDocumentedSetAreRefusedWithTheirLine(id: String) throws {
        let s = try seeded()
        // Quoted, as a CSV export would write an id with a comma in it.
        let file = try write("w.csv", "worker_id,name\nok.worker,Fine\n\"\(id)\",Someone\n")
        #expect { try s.importFile(file, actor: "t", now: now) } throws: { error in
            guard let issue = (error as? CSVErrors)?.issues.first else { return false }
            return issue.line == 3 && issue.column == "worker_id" && issue.description.hasPrefix("\(file):3: worker_id: ")
        }
        #expect(try s.worker("ok.worker") == nil, "the whole file is refused")
        #expect { try s.addWorker(Worker(id: id, name: "x"), actor: "t", now: now) } throws: { "\($0)".contains("worker id") }
    }

    @Test func closingACaseStopsItsDeadlines() throws {
        let s = try seeded()
        try s.record(CaseEvent(id: "p", caseRef: "C1", kind: "placed-for-adoption", at: instant("2026-11-21T11:00")), source: "t", actor: "t", now: now)
        try s.closeCase("C1", at: now, actor: "t", now: now)
        #expect(try s.agenda(.everyone, within: 365 * 86_400, overdueOnly: false, now: now).isEmpty)
        #expect(throws: Store.Failure.self) {
            try s.record(CaseEvent(id: "v", caseRef: "C1", kind: "visit", at: now), source: "t", actor: "t", now: now)
        }
        #expect(try s.summary(now: now).closedCases == 1)
    }
}
