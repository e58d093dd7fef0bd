/// A problem in one cell of a CSV file: `file:line: column: message`.
public struct CSVIssue: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: String
    public let message: String
    /// What a lenient import did about it instead of refusing (`REC is set aside: ...`); nil for a problem
    /// that refuses (or leaves out) what it is in.
    public private(set) var action: String?

    public init(file: String, line: Int, column: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// The same problem, set aside by a lenient import: `action` says what was read instead.
    public func settingAside(_ action: String) -> CSVIssue {
        var copy = self
        copy.action = action
        return copy
    }

    /// One line, whatever the file held: control characters in a quoted value (a raw newline in a case
    /// reference) are shown escaped, so one problem never spills over several lines of a log.
    public var description: String {
        // A problem with the whole file (it cannot be read) has no line to name.
        let place = line > 0 ? "\(file):\(line)" : file
        let text = column.isEmpty ? "\(place): \(message)" : "\(place): \(column): \(message)"
        return oneLine(action.map { "\(text); \($0)" } ?? text)
    }
}

/// `text` with control characters (newlines, tabs, escapes, DEL) written as `\n`, `\t` or `\u{1B}`.
public func oneLine(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
    var out = ""
    for u in text.unicodeScalars {
        switch u.value {
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0..<0x20, 0x7F: out += "\\u{\(String(u.value, radix: 16, uppercase: true))}"
        default: out.unicodeScalars.append(u)
        }
    }
    return out
}

/// Every problem found in a file; a file with any problem is rejected whole.
public struct CSVErrors: Error, Sendable, CustomStringConvertible {
    public let issues: [CSVIssue]
    /// The file was not at fault: it could not be read, or the store could not be written (locked by another
    /// process past the busy timeout, a full disk). The same file may well import if tried again.
    public let isTemporary: Bool

    public init(_ issues: [CSVIssue], temporary: Bool = false) {
        self.issues = issues
        isTemporary = temporary
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// Maps a CSV header to column positions, rejecting unknown and missing columns.
struct CSVHeader {
    let columns: [String: Int]
    let names: [String]

    init(_ record: CSVParser.Record, file: String, required: [String], optional: [String], extra: (String) -> Bool)
        throws(CSVErrors)
    {
        var issues: [CSVIssue] = []
        var columns: [String: Int] = [:]
        let names = record.fields.map { String($0.trimmingSpaces).lowercased() }
        for (i, n) in names.enumerated() {
            if columns[n] != nil {
                issues.append(CSVIssue(file: file, line: record.line, column: n, message: "column appears twice in the header"))
            }
            columns[n] = i
            if !required.contains(n) && !optional.contains(n) && !extra(n) {
                let known = required + optional
                issues.append(
                    CSVIssue(
                        file: file, line: record.line, column: n,
                        message: "unknown column\(didYouMean(n, known)); expected \(known.joined(separator: ", "))"))
            }
        }
        for r in required where columns[r] == nil {
            issues.append(CSVIssue(file: file, line: record.line, column: r, message: "required column is missing from the header"))
        }
        guard issues.isEmpty else { throw CSVErrors(issues) }
        self.columns = columns
        self.names = names
    }

    /// A whole file's header and data records; a quoting error or an empty file is reported as an issue.
    static func records(file: String, text: String, expectedHeader: String) throws(CSVErrors)
        -> (header: CSVParser.Record, rows: ArraySlice<CSVParser.Record>)
    {
        let records: [CSVParser.Record]
        do {
            records = try CSVParser.parse(text)
        } catch {
            // Without the header in hand, the field is named by its number.
            let (column, message) = error.issue(in: nil)
            throw CSVErrors([CSVIssue(file: file, line: error.line, column: column, message: message)])
        }
        guard let first = records.first else {
            throw CSVErrors([CSVIssue(file: file, line: 1, column: "", message: "empty file; expected a header \(expectedHeader)")])
        }
        return (first, records.dropFirst())
    }

    /// The trimmed cell of a column, or nil when the column is absent or the cell empty.
    func cell(_ name: String, _ record: CSVParser.Record) -> String? {
        // A look along the few names (short strings compare in a word or two) rather than a hash of `name`
        // for every cell of every row.
        guard let i = names.firstIndex(of: name), i < record.fields.count else { return nil }
        let raw = record.fields[i]
        // Most cells need no trimming: hand the string back without copying it.
        if let f = raw.utf8.first, let l = raw.utf8.last, f != 0x20, f != 0x09, l != 0x20, l != 0x09 { return raw }
        let v = String(raw.trimmingSpaces)
        return v.isEmpty ? nil : v
    }
}

/// One row being decoded: its cells by column name, and the problems found in it.
struct RowReader {
    let record: CSVParser.Record
    let header: CSVHeader
    let file: String
    private(set) var issues: [CSVIssue] = []

    /// A reader for a row, or nil (with the problem added to `issues`) when it has the wrong number of fields.
    init?(_ record: CSVParser.Record, header: CSVHeader, file: String, issues: inout [CSVIssue]) {
        guard record.fields.count == header.names.count else {
            issues.append(CSVIssue(file: file, line: record.line, column: "",
                message: "expected \(header.names.count) fields, found \(record.fields.count)"))
            return nil
        }
        self.record = record
        self.header = header
        self.file = file
    }

    mutating func fail(_ column: String, _ message: String) {
        issues.append(CSVIssue(file: file, line: record.line, column: column, message: message))
    }

    /// The trimmed cell, or nil when empty.
    func cell(_ name: String) -> String? { header.cell(name, record) }

    /// A required cell; reports `message` when it is empty.
    mutating func required(_ name: String, _ message: String = "empty") -> String? {
        let v = cell(name)
        if v == nil { fail(name, message) }
        return v
    }
}

/// Whether a header names all of a table's required columns.
func headerNames(_ record: CSVParser.Record) -> Set<String> {
    Set(record.fields.map { String($0.trimmingSpaces).lowercased() })
}
