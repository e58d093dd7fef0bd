/// An incremental RFC 4180 CSV parser: feed it bytes in chunks of any size and it returns the complete
/// records so far, each with the line it started on. Memory stays bounded by the longest record.
public struct CSVParser: Sendable {
    /// One record with its fields and the 1-based line where it starts.
    public struct Record: Sendable, Equatable {
        public var fields: [String]
        public var line: Int
    }

    /// A quoting error.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
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
            if inQuotes {
                if quoteSeen {
                    quoteSeen = false
                    if byte == 0x22 {
                        field.append(0x22)
                        continue
                    }
                    inQuotes = false
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
                endField()
            case 0x0D:
                lastWasCR = true
                continue
            case 0x0A:
                endField()
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
        endField()
        defer { fields.removeAll() }
        if fields.count == 1 && fields[0].isEmpty { return nil }
        return Record(fields: fields, line: recordLine)
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
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
