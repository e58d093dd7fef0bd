import Foundation
import GRDB
import PermanenceCore
import TestSupport
import Testing

@testable import PermanenceStore

/// Backups, and what the store does with a schema older or newer than the binary's: on real SQLite files.
@Suite struct StoreCareTests {
    let set: RuleSet
    let dir: URL
    let now = instant("2026-11-23T10:00")

    init() throws {
        set = try shippedRuleSet()
        dir = try scratchDirectory("store-care")
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func mode(_ p: String) throws -> Int { try #require(FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as? Int) }

    func seeded() throws -> Store {
        let s = try Store(path: path("p.sqlite"), ruleSet: set)
        try s.addWorker(Worker(id: "sw1", name: "One", roles: ["permanence-sw"]), actor: "test", now: now)
        try s.openCase(
            ChildCase(reference: "C1", plan: "adoption", calendar: "england-and-wales", packs: ["leicestershire-family-finding"]),
            openedAt: instant("2026-01-01"), actor: "test", now: now)
        return s
    }

    @Test func aBackupIsTheWholeStoreOwnerOnlyAndNeverOverwrites() throws {
        let s = try seeded()
        let copy = path("copy.sqlite")
        try s.backup(to: copy)
        #expect(try mode(copy) & 0o777 == 0o600)
        // The copy opens as a store of its own, with the same records and an audit chain that verifies.
        let restored = try Store(path: copy, ruleSet: set)
        #expect(try restored.summary(now: now).openCases == 1)
        #expect(try restored.summary(now: now).workers == 1)
        #expect(try restored.schemaVersion() == s.schemaVersion())
        // A second backup to the same name is refused, and the first is left as it was.
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        #expect(throws: Store.Failure.self) { try s.backup(to: copy) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
        // A directory that is not there: a clear refusal, no file left behind.
        #expect(throws: Store.Failure.self) { try s.backup(to: path("missing/x.sqlite")) }
    }

    @Test func aBackupWhileAnotherConnectionWritesIsConsistent() throws {
        let s = try seeded()
        let other = try Store(path: path("p.sqlite"), ruleSet: set)
        try other.addWorker(Worker(id: "sw2", name: "Two", roles: ["permanence-sw"]), actor: "test", now: now)
        try s.backup(to: path("b.sqlite"))
        #expect(try Store(path: path("b.sqlite"), ruleSet: set).summary(now: now).workers == 2)
    }

    @Test func aStoreFromANewerVersionIsRefusedAndLeftAlone() throws {
        _ = try seeded()
        let q = try DatabaseQueue(path: path("p.sqlite"))
        try q.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        let before = try Data(contentsOf: URL(fileURLWithPath: path("p.sqlite")))
        do {
            _ = try Store(path: path("p.sqlite"), ruleSet: set)
            Issue.record("a newer store was opened")
        } catch let error as Store.Failure {
            #expect(error.description.contains("v99-from-the-future"))
            #expect(error.description.contains("newer than this permanenced knows"))
            #expect(error.description.contains("nothing was changed"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("p.sqlite"))) == before)
    }

    @Test func anOlderStoreIsBackedUpBeforeItIsMigrated() throws {
        // A store as an earlier release left it: the first six migrations only.
        let q = try DatabaseQueue(path: path("old.sqlite"))
        try Schema.migrator.migrate(q, upTo: Schema.versions[5])
        try q.write { db in
            try db.execute(sql: "INSERT INTO worker (id, name, roles) VALUES ('w1', 'Old Worker', 'permanence-sw')")
        }
        try q.close()
        let s = try Store(path: path("old.sqlite"), ruleSet: set)
        #expect(try s.schemaVersion() == Schema.versions.last!)
        let backup = path("old.sqlite.before-\(Schema.versions.last!)")
        #expect(FileManager.default.fileExists(atPath: backup))
        #expect(try mode(backup) & 0o777 == 0o600)
        // The backup is the store as it was: the old schema, with its data.
        let b = try DatabaseQueue(path: backup)
        let (applied, name) = try b.read { db in
            (try Schema.migrator.appliedIdentifiers(db), try String.fetchOne(db, sql: "SELECT name FROM worker WHERE id = 'w1'"))
        }
        #expect(applied == Set(Schema.versions.prefix(6)))
        #expect(name == "Old Worker")
        // A store already current is not copied again.
        try FileManager.default.removeItem(atPath: backup)
        _ = try Store(path: path("old.sqlite"), ruleSet: set)
        #expect(!FileManager.default.fileExists(atPath: backup))
        // A new store has nothing to back up.
        _ = try Store(path: path("new.sqlite"), ruleSet: set)
        #expect(!FileManager.default.fileExists(atPath: path("new.sqlite.before-\(Schema.versions.last!)")))
    }
}
