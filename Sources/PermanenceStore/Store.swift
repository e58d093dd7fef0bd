import CSQLiteTuning
import Foundation
import GRDB
import Synchronization
import PermanenceCore

/// The embedded store: one SQLite file in WAL mode, created 0600, shared safely by the CLI and the daemon.
///
/// Every change goes through one write transaction that also appends to the hash-chained audit log and
/// recomputes the deadlines of the cases it touched, so the store never holds a half-applied change.
public final class Store: Sendable {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    /// Rules, calendars and zone used to keep deadlines current.
    public let ruleSet: RuleSet
    /// This store's audit key and staged heads.
    let auditContext: AuditContext
    /// Commits wait for the disk (`synchronous = FULL`).
    let durable: Bool
    /// Set by `interrupt()`: an import in hand stops at its next row and rolls back.
    let interrupted = Atomic<Bool>(false)
    /// Deadlines a transaction writes before it considers setting the agendas' indexes aside (`DeadlineIndexes`);
    /// tests lower it.
    let deadlineIndexesFirstLook = Atomic<Int>(65_536)
    /// Transactions of this store that set the agendas' indexes aside and built them again (for tests).
    let deadlineIndexesRebuilt = Atomic<Int>(0)
    /// Where this store's audit heads go once a change commits (nil: only the head file beside it).
    public var auditHeads: AuditHeadSink? { auditContext.sink }

    /// SQLite's process-wide settings, made once before the process opens its first store: no memory
    /// statistics (a global mutex on every allocation SQLite makes, which nothing here reads).
    private static let sqliteTuned: Int32 = permanenced_sqlite_memstatus_off()

    /// Why a store operation was refused; nothing was changed.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String

        public init(_ description: String) {
            self.description = description
        }
    }

    /// Opens (creating if needed, with mode 0600) and migrates the store at `path`. A writer (`recomputing`,
    /// the default) brings the stored deadlines up to a changed rule set; a reading command leaves them, and
    /// can say so (`rulesAreCurrent`).
    /// `actor` is who the audit log names for a recomputation after the rules changed. A write waits up
    /// to 30 seconds for another process's (`setBusyTimeout` changes it). `durable`: every commit is on disk before it
    /// returns (`synchronous = FULL`), for the daemon, whose delivery protocol rests on its commits; a
    /// command's commits survive a crash of the process either way. `auditHeads`: told each committed head.
    public init(path: String, ruleSet: RuleSet, recomputing: Bool = true, actor: String = AuditActor.person(),
                durable: Bool = false, auditHeads: AuditHeadSink? = nil) throws
    {
        self.path = path
        self.ruleSet = ruleSet
        self.durable = durable
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // Create the file (and let SQLite create -wal and -shm) readable by the owner only.
        let previous = umask(0o077)
        defer { umask(previous) }
        if !FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_CREAT | O_WRONLY, 0o600)
            if fd < 0 { throw Failure("\(path): cannot create the store (\(String(cString: strerror(errno))))") }
            close(fd)
        } else if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size == 0,
                  !FileManager.default.fileExists(atPath: path + "-wal")
        {
            // A store that exists but holds nothing (truncated, or a copy that failed) is never taken for a new
            // one: initialising it would report nothing due for every child it held.
            throw Failure("\(path): the store file is empty, so it is not a store; it was probably truncated or copied badly. "
                + "Restore it from a backup (`permanenced backup` makes them), or, to start a new store, remove the file")
        }
        _ = Store.sqliteTuned
        var config = GRDB.Configuration()
        config.busyMode = .timeout(30)  // the CLI and the daemon wait for each other rather than fail
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // WAL with NORMAL sync is durable across process crashes (FULL: across power loss too). The writer's
            // larger page cache keeps big imports fast; a reader's stays small: each connection fills its own as
            // it reads, and the daemon's first start, reading a whole authority, held 64 MiB in each for
            // nothing (the agendas read the same covering indexes from the file cache as fast).
            try db.execute(sql: "PRAGMA synchronous = \(durable ? "FULL" : "NORMAL"); PRAGMA cache_size = \(db.configuration.readonly ? -8192 : -65536); PRAGMA temp_store = MEMORY")
        }
        auditContext = AuditContext(
            key: try AuditKeys.load(configured: ruleSet.configuration.auditKeyFile, store: path, configurationFile: ruleSet.configuration.file),
            store: path, sink: auditHeads)
        do {
            pool = try DatabasePool(path: path, configuration: config)
            // GRDB sets NORMAL on the writer when it turns on WAL, after `prepareDatabase`: the daemon's durable
            // commits are set here, on the writer, where they count.
            if durable { try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") } }
            try Store.migrate(pool, path: path)
            if recomputing { try recomputeIfRulesChanged(actor: actor) }
        } catch let error as DatabaseError {
            let why = Store.writeProblem(at: path).map { " (the store cannot be written: \($0))" } ?? ""
            throw Failure("\(path): \(error.message ?? "\(error)")\(why)")
        }
    }

    /// Before a transaction that may have set the agendas' indexes aside commits: builds them again, and counts it.
    func restoreDeadlineIndexes(_ indexes: DeadlineIndexes, _ db: Database) throws {
        try indexes.restore(db)
        if indexes.wereSetAside { deadlineIndexesRebuilt.add(1, ordering: .relaxed) }
    }

    /// Keeps stored deadlines current when the rules, calendars or zone change: the first opening with a
    /// new rule set recomputes every open case, in one transaction, and says so in the audit log.
    private func recomputeIfRulesChanged(actor: String) throws {
        let stored = try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'rules'") }
        guard stored != ruleSet.fingerprint else { return }
        let evaluator = Evaluator(ruleSet: ruleSet)
        let now = Instant(seconds: Int(Date().timeIntervalSince1970))
        try pool.write { db in
            // Another process may have done it meanwhile.
            if try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'rules'") == ruleSet.fingerprint { return }
            let refs = try String.fetchAll(db, sql: "SELECT ref FROM child_case WHERE closed_at IS NULL ORDER BY ref")
            let cache = try ImportCache(db)
            // Every stored deadline is deleted and written again: for a table of any size, the agendas' indexes
            // cost less built once at the end than kept through every delete and insert (see `DeadlineIndexes`).
            if !refs.isEmpty { try cache.indexes.setAsideNow(db) }
            for ref in refs { try Store.recompute(db, ref, evaluator: evaluator, cache: cache) }
            try self.restoreDeadlineIndexes(cache.indexes, db)
            try db.execute(
                sql: "INSERT INTO meta (key, value) VALUES ('rules', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [ruleSet.fingerprint])
            if stored != nil || !refs.isEmpty {
                try self.audit(db, at: now, actor: actor, action: "rules.changed", subject: "*",
                    detail: "rule set \(ruleSet.fingerprint.prefix(12)); \(refs.count) open cases recomputed")
            }
        }
    }

    /// The stored deadlines were computed with this rule set (false: a reading command opened the store
    /// after the rules changed, and the daemon or the next writing command has yet to recompute them).
    public func rulesAreCurrent() throws -> Bool {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'rules'") } == ruleSet.fingerprint
    }

    /// Brings the schema up to date. A store written by a newer permanenced is refused before anything is
    /// touched (an older binary would misread it); a store at an older schema is first copied beside
    /// itself (`PATH.before-VERSION`, as `backup` makes it), so a failed or unwanted upgrade can be undone.
    private static func migrate(_ pool: DatabasePool, path: String) throws {
        let migrator = Schema.migrator
        let (applied, superseded, complete) = try pool.read { db in
            (try migrator.appliedIdentifiers(db), try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db))
        }
        if superseded {
            let unknown = applied.subtracting(Schema.versions).sorted()
            throw Failure("\(path): the store's schema (\(unknown.joined(separator: ", "))) is newer than this permanenced knows "
                + "(up to \(Schema.versions.last!)): it was written by a later version. Install that version again, or restore "
                + "the backup made before the upgrade (PATH.before-*); nothing was changed")
        }
        if complete { return }
        if !applied.isEmpty {
            let from = Schema.versions.last { applied.contains($0) } ?? "unknown"
            let copy = "\(path).before-\(Schema.versions.last!)"
            if FileManager.default.fileExists(atPath: copy) { try? FileManager.default.removeItem(atPath: copy) }
            do {
                try backup(pool, to: copy)
            } catch {
                throw Failure("\(path): the store is at schema \(from) and needs migrating, but the backup before it failed (\(error)); nothing was changed")
            }
        }
        try migrator.migrate(pool)
    }

    /// A consistent copy of the store at `target` (SQLite's `VACUUM INTO`: a snapshot of one read
    /// transaction, safe while the daemon writes), created 0600. An existing file is never overwritten.
    public func backup(to target: String) throws {
        if FileManager.default.fileExists(atPath: target) {
            throw Failure("\(target): a file is already there; give a new name (a backup never overwrites)")
        }
        try Store.backup(pool, to: target)
    }

    private static func backup(_ pool: DatabasePool, to target: String) throws {
        let previous = umask(0o077)
        defer { umask(previous) }
        // Made 0600 before SQLite writes into it (VACUUM INTO needs the file empty or absent: an empty file is fine).
        let fd = open(target, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        if fd < 0 { throw Failure("\(target): cannot create the backup (\(String(cString: strerror(errno))))") }
        close(fd)
        do {
            // Outside a transaction (VACUUM refuses to run in one); it reads one snapshot of its own.
            try pool.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [target]) }
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(atPath: target)
            throw Failure("\(target): the backup failed (\(error.message ?? "\(error)"))")
        }
    }

    /// The schema version the file is at (the last applied migration).
    public func schemaVersion() throws -> String {
        // The latest in the schema's own order ("v10-…" sorts before "v9-…" as text).
        try pool.read { db in
            let applied = try Schema.migrator.appliedIdentifiers(db)
            return Schema.versions.last(where: applied.contains) ?? applied.sorted().last ?? "none"
        }
    }

    /// The database file's size in bytes, with its write-ahead log.
    public func sizeInBytes() -> Int {
        [path, path + "-wal"].reduce(0) { total, p in
            total + ((try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0)
        }
    }
}
