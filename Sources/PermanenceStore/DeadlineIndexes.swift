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
/// back takes the indexes back with it. An import into a store already holding more deadlines than the import
/// writes keeps them: there, maintaining them costs less than building them over the whole table.
final class DeadlineIndexes {
    /// Deadlines a transaction writes before the table is looked at (a smaller write keeps the indexes:
    /// building them again could cost more than it saves).
    let firstLook: Int
    /// Deadlines written so far in the transaction.
    private(set) var written = 0
    private var looked = false
    /// The statements that create the indexes set aside, in the order they are built again.
    private(set) var setAside: [String] = []

    init(firstLook: Int = 65_536) {
        self.firstLook = firstLook
    }

    /// Counts deadlines the transaction wrote.
    func wrote(_ count: Int) {
        written += count
    }

    /// Between rows: once the transaction has written `firstLook` deadlines, looks once at the table. When at
    /// most as many deadlines were there before it began as it wrote (a first import, or most of the table
    /// rewritten), the indexes are set aside until `restore`.
    func look(_ db: Database) throws {
        guard !looked, written >= firstLook else { return }
        looked = true
        // Counting is a walk of the table's pages (30 ms for 1.4 million rows), done once.
        let rows = try Int.fetchOne(db, sql: "SELECT count(*) FROM deadline") ?? 0
        if rows - written <= written { try setAsideNow(db) }
    }

    /// Sets the indexes aside whatever was written so far: for a transaction known to delete and write again
    /// every deadline (all open cases recomputed after the rules changed).
    func setAsideNow(_ db: Database) throws {
        guard setAside.isEmpty else { return }
        looked = true
        let indexes = try Row.fetchAll(db, sql: """
            SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deadline' AND sql IS NOT NULL ORDER BY name
            """)
        for index in indexes {
            let name: String = index["name"]
            try db.execute(sql: "DROP INDEX \(name.quotedDatabaseIdentifier)")
        }
        setAside = indexes.map { $0["sql"] }
    }

    /// Where SQLite keeps the runs it sorts while building an index.
    enum Sorting: Int {
        /// Temporary files (SQLite's own, deleted as soon as opened): runs the size of a small page cache,
        /// merged by two threads.
        case files = 1
        /// Memory only: all the entries sorted at once.
        case memory = 2
    }

    /// Before the transaction commits: builds every index set aside again, exactly as it was.
    ///
    /// Sorted in memory all at once (the connection's `temp_store = MEMORY`), 1.4 million entries take twice
    /// as long, and 170 MB more, as sorted in small runs written to temporary files and merged. The files are
    /// made readable by this user only. Where no temporary directory can be written (a service sandboxed
    /// without one), an index that cannot be built that way is built in memory. The connection's settings are
    /// put back afterwards.
    func restore(_ db: Database, sorting: [Sorting] = [.files, .memory]) throws {
        guard !setAside.isEmpty else { return }
        let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        let tempStore = try Int.fetchOne(db, sql: "PRAGMA temp_store") ?? 0
        let threads = try Int.fetchOne(db, sql: "PRAGMA threads") ?? 0
        let previous = umask(0o077)
        defer { umask(previous) }
        var ways = sorting[...]
        for sql in setAside {
            while true {
                let way = ways.first ?? .memory
                try db.execute(sql: way == .files
                    ? "PRAGMA temp_store = FILE; PRAGMA cache_size = -2048; PRAGMA threads = 2"
                    : "PRAGMA temp_store = MEMORY; PRAGMA cache_size = \(cacheSize); PRAGMA threads = 0")
                do {
                    try db.execute(sql: sql)
                    break
                } catch let error as DatabaseError where ways.count > 1 && Self.isTemporaryFileFailure(error) {
                    ways = ways.dropFirst()
                }
            }
        }
        try db.execute(sql: "PRAGMA temp_store = \(tempStore); PRAGMA cache_size = \(cacheSize); PRAGMA threads = \(threads)")
        setAside = []
    }

    /// A failure that a temporary file may have caused: none to be made, or none written. (Where the store
    /// itself is at fault, the same failure comes again in memory and is the import's.)
    static func isTemporaryFileFailure(_ error: DatabaseError) -> Bool {
        let codes: [ResultCode] = [.SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_FULL]
        return codes.contains(error.resultCode.primaryResultCode)
    }
}
