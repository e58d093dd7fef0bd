import GRDB
import GRDBSQLite

/// A prepared statement driven through the SQLite C API, for the statements an import runs millions of
/// times (inserting events and deadlines, reading a case back): binding and reading values directly avoids
/// boxing every argument. Used only inside a GRDB transaction on the same connection, and finalized with it.
final class FastInsert {
    private var statement: OpaquePointer?
    private let connection: OpaquePointer
    private let sql: String
    private var index: Int32 = 0
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw Store.Failure("the database connection is closed") }
        self.connection = connection
        self.sql = sql
        let code = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        // Preparing reads the schema, so it meets an interrupt (shutdown) or a busy store as a step does: a
        // passing failure, never the file's fault.
        guard code == SQLITE_OK else { throw Self.failure(code, connection, "cannot prepare \(sql)") }
    }

    deinit { sqlite3_finalize(statement) }

    /// Binds the next parameter to a text (its bytes, whole: a NUL inside would not end it), or to NULL.
    /// The string's own bytes are handed to SQLite, which copies them: bound as a Swift string, each value was
    /// first made into a C string (an allocation) and measured with `strlen`.
    @discardableResult
    func bind(_ value: String?) -> Self {
        index += 1
        guard var value else {
            sqlite3_bind_null(statement, index)
            return self
        }
        _ = value.withUTF8 { bytes in
            // Never a null pointer, which would bind NULL: an empty text is bound as "".
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return sqlite3_bind_text(statement, index, "", 0, Self.transient) }
            return sqlite3_bind_text(statement, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
        }
        return self
    }

    /// Resets the statement for the next run, and takes back every binding: a parameter the next run does not
    /// bind is NULL, never the last run's value.
    private func finish() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        index = 0
    }

    @discardableResult
    func bind(_ value: Int?) -> Self {
        index += 1
        if let value { sqlite3_bind_int64(statement, index, Int64(value)) } else { sqlite3_bind_null(statement, index) }
        return self
    }

    @discardableResult
    func bind(_ value: Bool) -> Self { bind(value ? 1 : 0) }

    /// Steps through the rows of a query with the values bound since the last run.
    func forEachRow(_ body: (FastInsert) throws -> Void) throws {
        defer { finish() }
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw stepFailure(code)
            }
            try body(self)
        }
    }

    /// Advances a query opened with the values bound so far to its next row; false (and reset) at the end.
    /// For reading several sorted queries side by side.
    func step() throws -> Bool {
        let code = sqlite3_step(statement)
        if code == SQLITE_ROW { return true }
        finish()
        guard code == SQLITE_DONE else {
            throw stepFailure(code)
        }
        return false
    }

    /// Why a step failed: a passing failure (the store busy, full, read-only or interrupted) as the
    /// `DatabaseError` it is, so an import leaves its file to be tried again; anything else (a constraint) as a
    /// problem of the row.
    private func stepFailure(_ code: Int32) -> any Error {
        Self.failure(code, connection, "\(sql.prefix(40))...")
    }

    private static func failure(_ code: Int32, _ connection: OpaquePointer, _ what: String) -> any Error {
        let message = "\(String(cString: sqlite3_errmsg(connection))) (\(what))"
        let error = DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        return Store.isPassing(error) ? error : Store.Failure(message)
    }

    /// Column values of the current row.
    func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: p)
    }

    func int(_ column: Int32) -> Int? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(statement, column))
    }

    /// Runs the statement with the values bound since the last run; returns the number of rows changed.
    @discardableResult
    func run() throws -> Int {
        defer { finish() }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE else {
            throw stepFailure(code)
        }
        return Int(sqlite3_changes(connection))
    }
}
