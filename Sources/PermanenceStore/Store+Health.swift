import Foundation
import GRDB
import PermanenceCore

/// The store's health: SQLite's own checks, whether its file system will take a write, and interrupting a
/// long transaction.
extension Store {
    /// `PRAGMA quick_check` (`full`: `integrity_check`, which also compares every index with its table):
    /// nil when the database is sound, or SQLite's findings (at most `limit` lines).
    public func check(full: Bool = false, limit: Int = 20) throws -> [String]? {
        let lines = try pool.read { db in
            try String.fetchAll(db, sql: "PRAGMA \(full ? "integrity_check" : "quick_check")(\(limit))")
        }
        return lines == ["ok"] ? nil : lines
    }

    /// Why a write to the store would fail now, if it would: its file system read-only or full, or its file
    /// or directory not writable by this process. Nil when nothing stands in the way.
    public func writeProblem() -> String? { Store.writeProblem(at: path) }

    /// `writeProblem` for the store at `path`, which may not open at all (SQLite cannot make its shared-memory
    /// file on a full file system).
    public static func writeProblem(at path: String) -> String? {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var fs = statvfs()
        if statvfs(directory, &fs) == 0 {
            if fs.f_flag & UInt(ST_RDONLY) != 0 { return "its file system is mounted read-only" }
            let free = Int(fs.f_bavail) * Int(fs.f_frsize)
            // SQLite needs room for the write-ahead log's pages; a few pages is none in practice.
            if free < 64 * 1024 { return "its file system is full (\(free) bytes free)" }
        }
        if access(path, W_OK) != 0 && errno != ENOENT { return "the store file is not writable by this user (\(String(cString: strerror(errno))))" }
        if access(directory, W_OK) != 0 { return "its directory \(directory) is not writable by this user" }
        return nil
    }

    /// How long this store's writes wait for another process's write lock from now on, in seconds (opening
    /// waits up to 30).
    public func setBusyTimeout(_ seconds: Double) throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA busy_timeout = \(Int(seconds * 1000))") }
    }

    /// Interrupts the statement running on any of this store's connections (a long import at shutdown): its
    /// transaction fails and rolls back. Safe from any thread; does nothing if no statement is running.
    public func interrupt() {
        interrupted.store(true, ordering: .relaxed)
        pool.interrupt()
    }

    /// Throws, as a passing failure (the same files can be imported again), once `interrupt()` was called.
    func checkInterrupted(_ paths: [String]) throws(CSVErrors) {
        guard interrupted.load(ordering: .relaxed) else { return }
        throw CSVErrors([CSVIssue(file: paths.joined(separator: ", "), line: 0, column: "",
            message: "the import was interrupted (permanenced is stopping); nothing was imported")], temporary: true)
    }
}
