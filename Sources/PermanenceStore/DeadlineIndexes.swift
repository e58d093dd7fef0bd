import Foundation
import GRDB

/// The deadline table's secondary indexes (the agendas' covering indexes), set aside while one transaction
/// writes most of the table's rows, and built again before it commits.
///
/// Each deadline written goes into its table and into one or two indexes ordered by due date, where it lands
/// at a random place: on a council's first import (a million events, over a million deadlines) those inserts
/// are a third of the import. SQLite builds an index from a full table by sorting it, three times faster than
/// inserting the same entries one by one, so a transaction that writes at least as many deadlines as the table
/// held before drops the indexes and creates them again, from the same statements, before it commits.
/// Readers never see the table without them (WAL: a reader sees the last commit), and a transaction rolled
/// back takes the indexes back with it. An import into a store holding more deadlines than the import writes
/// keeps them: there, maintaining them costs less than building them over the whole table.
final class DeadlineIndexes {
    /// Deadlines a transaction writes before the table is looked at (a smaller write keeps the indexes:
    /// building them again could cost more than it saves).
    let firstLook: Int
    /// Deadlines written so far in the transaction (a case's written twice, when it is recomputed twice).
    private(set) var written = 0
    /// The rows the table held that the transaction has not rewritten, counted once, at the first look (an
    /// overestimate from then on: rows deleted later are still counted).
    private var others: Int?
    /// The statements that create the indexes set aside, in the order they are built again.
    private(set) var setAside: [String] = []
    /// The indexes were set aside once in this transaction (and, after `restore`, built again).
    private(set) var wereSetAside = false

    init(firstLook: Int = 65_536) {
        self.firstLook = firstLook
    }

    /// Counts deadlines the transaction wrote.
    func wrote(_ count: Int) {
        written += count
    }

    /// Between rows: once the transaction has written `firstLook` deadlines, counts the table once; from then
    /// on, as soon as it has written at least as many deadlines as the table held besides them (a first
    /// import, or most of the table rewritten), the indexes are set aside until `restore`.
    func look(_ db: Database) throws {
        guard !wereSetAside, written >= firstLook else { return }
        if others == nil {
            // A walk of the table's pages (30 ms for 1.4 million rows), made once.
            others = max(0, (try Int.fetchOne(db, sql: "SELECT count(*) FROM deadline") ?? 0) - written)
        }
        if written >= others! { try setAsideNow(db) }
    }

    /// Sets the indexes aside whatever was written so far: for a transaction known to delete and write again
    /// every deadline (all open cases recomputed after the rules changed).
    func setAsideNow(_ db: Database) throws {
        guard !wereSetAside else { return }
        let indexes = try Row.fetchAll(db, sql: """
            SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deadline' AND sql IS NOT NULL ORDER BY name
            """)
        for index in indexes {
            let name: String = index["name"]
            try db.execute(sql: "DROP INDEX \(name.quotedDatabaseIdentifier)")
        }
        setAside = indexes.map { $0["sql"] }
        wereSetAside = true
    }

    /// How SQLite sorts the entries of an index it builds.
    enum Sorting: Equatable {
        /// In runs the size of a small page cache, written to temporary files (SQLite's own, made 0600 and
        /// deleted as soon as they are opened) and merged by two threads.
        case inFiles
        /// All at once, in memory (the connection's `temp_store = MEMORY`): 1.4 million entries take twice as
        /// long, and 170 MB more, than in files.
        case inMemory
    }

    /// Before the transaction commits: builds every index set aside again, exactly as it was. Sorted in
    /// temporary files where SQLite can make one (decided before anything is built: a temporary file that
    /// fails during a build rolls the whole transaction back), in memory otherwise. The connection's settings
    /// are put back afterwards, also when the build fails.
    func restore(_ db: Database, sorting: Sorting = DeadlineIndexes.sorting()) throws {
        guard !setAside.isEmpty else { return }
        let settings = [
            ("cache_size", try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000),
            ("temp_store", try Int.fetchOne(db, sql: "PRAGMA temp_store") ?? 0),
            ("threads", try Int.fetchOne(db, sql: "PRAGMA threads") ?? 0),
        ]
        do {
            // SQLite refuses to change where temporary data goes once the transaction has opened its temporary
            // database (a temporary table made in it): then in memory.
            if sorting == .inFiles, (try? db.execute(sql: "PRAGMA temp_store = FILE")) != nil {
                try db.execute(sql: "PRAGMA cache_size = -2048; PRAGMA threads = 2")
            }
            for sql in setAside { try db.execute(sql: sql) }
        } catch {
            try? db.execute(sql: settings.map { "PRAGMA \($0.0) = \($0.1)" }.joined(separator: "; "))
            throw error
        }
        try db.execute(sql: settings.map { "PRAGMA \($0.0) = \($0.1)" }.joined(separator: "; "))
        setAside = []
    }

    /// Files where SQLite can make its temporary files, memory otherwise: the directory SQLite would take (the
    /// first of `SQLITE_TMPDIR`, `TMPDIR`, /var/tmp, /usr/tmp, /tmp and the current one that is a directory
    /// this process may write in) must take a file (a sandboxed service may have none, or one read-only).
    static func sorting() -> Sorting {
        let candidates = [getenv("SQLITE_TMPDIR"), getenv("TMPDIR")].compactMap { $0.map { String(cString: $0) } }
            + ["/var/tmp", "/usr/tmp", "/tmp", "."]
        for dir in candidates {
            var st = stat()
            guard stat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, access(dir, W_OK | X_OK) == 0 else { continue }
            // SQLite takes this one: a probe shows whether a file can be made in it.
            let probe = "\(dir)/permanenced-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let fd = open(probe, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return .inMemory }
            close(fd)
            unlink(probe)
            return .inFiles
        }
        return .inMemory
    }
}
