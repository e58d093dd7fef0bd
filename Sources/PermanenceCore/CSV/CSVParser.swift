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
    /// The bitwise or of the field's bytes: below 0x80, the field is ASCII and needs no UTF-8 validation.
    private var fieldBits: UInt8 = 0
    private var fields: [String] = []
    private var inQuotes = false
    private var quoteSeen = false  // a quote inside quotes: either an escaped quote or the end
    private var fieldStarted = false
    private var line = 1
    private var recordLine = 1
    private var lastWasCR = false
    /// The input's first bytes while they may still be a UTF-8 byte order mark (EF BB BF), which is dropped;
    /// nil once the start has been decided.
    private var start: [UInt8]? = []

    public init() {}

    /// Parses the next chunk; returns the records it completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(ParseError) -> [Record] {
        var out: [Record] = []
        var failure: ParseError?
        // Over contiguous bytes, in one function that is not generic: a byte at a time through `Sequence`
        // (a call through a witness table for each byte) cost four times the parse itself.
        let parsed: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            do throws(ParseError) { try take(buffer, into: &out) } catch { failure = error }
        }
        if parsed == nil {
            Array(bytes).withUnsafeBufferPointer { buffer in
                do throws(ParseError) { try take(buffer, into: &out) } catch { failure = error }
            }
        }
        if let failure { throw failure }
        return out
    }

    /// A byte that neither ends nor quotes a field outside quotes (nor is refused anywhere): runs of them are
    /// copied into the field at once.
    @inline(__always)
    private static func isPlain(_ byte: UInt8) -> Bool {
        byte != 0x2C && byte != 0x0A && byte != 0x0D && byte != 0x22 && byte != 0
    }

    /// Parses a chunk, first setting aside a byte order mark at the start of the input.
    private mutating func take(_ buffer: UnsafeBufferPointer<UInt8>, into out: inout [Record]) throws(ParseError) {
        var bytes = buffer[...]
        if start != nil {
            // The first three bytes of the input, which may come in several chunks: a byte order mark is
            // dropped; anything else is parsed as it came.
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            while start!.count < 3, let byte = bytes.first, byte == bom[start!.count] {
                start!.append(byte)
                bytes = bytes.dropFirst()
            }
            if start!.count < 3 && bytes.isEmpty { return }  // all a byte order mark so far: wait for more
            let kept = start!.count == 3 ? [] : start!
            start = nil
            try kept.withUnsafeBufferPointer { (b) throws(ParseError) in try scan(b[...], into: &out) }
        }
        try scan(bytes, into: &out)
    }

    /// The parse proper, byte by byte (runs of plain bytes at once).
    private mutating func scan(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, into out: inout [Record]) throws(ParseError) {
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let byte = bytes[i]
            i += 1
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
                } else if byte == 0x0A {
                    line += 1
                    field.append(byte)
                    continue
                } else {
                    // This byte and the quoted text after it up to a quote, a newline (counted) or a NUL.
                    var j = i
                    while j < end, bytes[j] != 0x22, bytes[j] != 0x0A, bytes[j] != 0 { j += 1 }
                    try append(bytes[(i - 1)..<j])
                    i = j
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
                // This byte and the plain ones after it.
                var j = i
                while j < end, Self.isPlain(bytes[j]) { j += 1 }
                try append(bytes[(i - 1)..<j])
                i = j
                fieldStarted = true
            }
            lastWasCR = false
        }
    }

    /// Adds a run of bytes to the field (after a carriage return kept in it, if one came first). A byte at a
    /// time, the length was checked before each byte, the first of the run included (the caller checks that
    /// one): the others found the field longer than the limit if the whole run leaves it more than one byte
    /// over. A run of one byte has no other, and the next byte's check decides, as before (also after a kept
    /// carriage return, which came in with its byte unchecked).
    @inline(__always)
    private mutating func append(_ run: Slice<UnsafeBufferPointer<UInt8>>) throws(ParseError) {
        field.append(contentsOf: run)
        for b in run { fieldBits |= b }
        if run.count > 1, field.count > Self.maxFieldBytes + 1 {
            throw ParseError(line: recordLine, message: "is longer than \(Self.maxFieldBytes) bytes", field: fields.count + 1)
        }
    }

    /// Ends the input; returns the last record if the text did not end with a newline.
    public mutating func finish() throws(ParseError) -> Record? {
        // An input of only the first byte or two of a byte order mark: they were text after all (no newline
        // among them, so no record).
        if let kept = start {
            start = nil
            var none: [Record] = []
            try kept.withUnsafeBufferPointer { (b) throws(ParseError) in try scan(b[...], into: &none) }
        }
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
        // ASCII (nearly every field) is UTF-8 as it is; only a field with other bytes is validated.
        let decoded = fieldBits < 0x80 ? String(decoding: field, as: UTF8.self) : String(validating: field, as: UTF8.self)
        guard let text = decoded else {
            throw ParseError(line: recordLine, message: "is not valid UTF-8; save the file as UTF-8", field: fields.count + 1)
        }
        guard fields.count < Self.maxFields else {
            throw ParseError(line: recordLine, message: "more than \(Self.maxFields) fields in one record")
        }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
        fieldBits = 0
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
