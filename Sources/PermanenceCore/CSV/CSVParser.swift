/// An incremental RFC 4180 CSV parser: feed it bytes in chunks of any size and it returns the complete
/// records so far, each with the line it started on. Memory stays bounded: a field may be at most
/// `maxFieldBytes` long and a record have at most `maxFields` fields.
///
/// Strict, because what it lets through reaches the store: a NUL byte (SQLite would cut the text there, so
/// `LEI-1\0X` would become `LEI-1`), bytes that are not UTF-8, and text after a closing quote are each
/// refused with the line and field.
public struct CSVParser: Sendable {
    /// The longest field accepted, in bytes: far more than any reference, date or note needs.
    public static let maxFieldBytes = 64 * 1024
    /// The most fields a record may have.
    public static let maxFields = 1024

    /// One record with its fields and the 1-based line where it starts.
    public struct Record: Sendable, Equatable {
        public var fields: [String]
        public var line: Int
    }

    /// A quoting error.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let line: Int
        public let message: String
        /// The 1-based field the problem is in, when it is in one (to name its column from the header).
        public var field: Int?
        public var description: String { "line \(line): \(field.map { "field \($0) " } ?? "")\(message)" }

        init(line: Int, message: String, field: Int? = nil) {
            self.line = line
            self.message = message
            self.field = field
        }

        /// The column (named by `header`, when it names the field) and the message, for `file:line: column:
        /// message`.
        public func issue(in header: Record?) -> (column: String, message: String) {
            guard let f = field else { return ("", message) }
            guard let header, f >= 1, f <= header.fields.count, header.line != line else { return ("", "field \(f) \(message)") }
            let name = header.fields[f - 1].drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
            return (String(name).lowercased(), message)
        }
    }

    private var field: [UInt8] = []
    private var fields: [String] = []
    private var inQuotes = false
    private var quoteSeen = false  // a quote inside quotes: either an escaped quote or the end
    private var fieldStarted = false
    private var line = 1
    private var recordLine = 1
    private var lastWasCR = false
    private var sawBOMCheck = false

    public init() {}

    /// Parses the next chunk; returns the records it completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(ParseError) -> [Record] {
        var out: [Record] = []
        for byte in bytes {
            if !sawBOMCheck {
                sawBOMCheck = true
                if byte == 0xEF { field.append(byte); continue }
            }
            if field.count == 1, field[0] == 0xEF, byte == 0xBB, fields.isEmpty, line == 1 { field.append(byte); continue }
            if field.count == 2, field[0] == 0xEF, field[1] == 0xBB, byte == 0xBF, fields.isEmpty, line == 1 {
                field.removeAll()
                continue
            }
            if byte == 0 {
                throw ParseError(line: line, message: "contains a NUL byte (0x00): the file is not text, or is damaged", field: fields.count + 1)
            }
            if field.count > Self.maxFieldBytes {
                throw ParseError(line: recordLine, message: "is longer than \(Self.maxFieldBytes) bytes", field: fields.count + 1)
            }
            if inQuotes {
                if quoteSeen {
                    quoteSeen = false
                    if byte == 0x22 {
                        field.append(0x22)
                        continue
                    }
                    inQuotes = false
                    // After a closing quote only the end of the field or record may come ("ab"x is not a field).
                    guard byte == 0x2C || byte == 0x0A || byte == 0x0D else {
                        throw ParseError(line: line, message: "has text after its closing quote; quote the whole field and double any quote inside it", field: fields.count + 1)
                    }
                    // fall through to handle the byte outside quotes
                } else if byte == 0x22 {
                    quoteSeen = true
                    continue
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                    continue
                }
            }
            switch byte {
            case 0x22:
                guard !fieldStarted && field.isEmpty else {
                    throw ParseError(line: line, message: "a quote inside an unquoted field; quote the whole field and double the quote")
                }
                inQuotes = true
                fieldStarted = true
            case 0x2C:
                try endField()
            case 0x0D:
                lastWasCR = true
                continue
            case 0x0A:
                try endField()
                if !(fields.count == 1 && fields[0].isEmpty) {
                    out.append(Record(fields: fields, line: recordLine))
                }
                fields.removeAll(keepingCapacity: true)
                line += 1
                recordLine = line
            default:
                if lastWasCR { field.append(0x0D) }
                field.append(byte)
                fieldStarted = true
            }
            lastWasCR = false
        }
        return out
    }

    /// Ends the input; returns the last record if the text did not end with a newline.
    public mutating func finish() throws(ParseError) -> Record? {
        if inQuotes && !quoteSeen {
            throw ParseError(line: recordLine, message: "a quoted field is not closed")
        }
        inQuotes = false
        quoteSeen = false
        guard !field.isEmpty || !fields.isEmpty || fieldStarted else { return nil }
        try endField()
        defer { fields.removeAll() }
        if fields.count == 1 && fields[0].isEmpty { return nil }
        return Record(fields: fields, line: recordLine)
    }

    private mutating func endField() throws(ParseError) {
        guard let text = String(validating: field, as: UTF8.self) else {
            throw ParseError(line: recordLine, message: "is not valid UTF-8; save the file as UTF-8", field: fields.count + 1)
        }
        guard fields.count < Self.maxFields else {
            throw ParseError(line: recordLine, message: "more than \(Self.maxFields) fields in one record")
        }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
        fieldStarted = false
    }

    /// Parses a whole text at once.
    public static func parse(_ text: String) throws(ParseError) -> [Record] {
        var p = CSVParser()
        var records = try p.feed(text.utf8)
        if let last = try p.finish() { records.append(last) }
        return records
    }
}
