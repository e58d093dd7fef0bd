/// A TOML 1.0 parser that remembers the line of every key and value, so configuration errors can name
/// the file, line and key. Pure: text in, tables out.
public struct TOMLParser {
    let b: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0
    /// Arrays and inline tables open around the value being read.
    var depth = 0

    /// How deep arrays, inline tables and dotted keys may nest. Configuration never needs more than a few
    /// levels; a file nested thousands deep is refused with its line rather than overflowing the stack (of
    /// `check-config`, or of a running daemon reloading it).
    public static let maxDepth = 32

    /// Parses a document into its root table.
    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var p = TOMLParser(bytes: Array(text.utf8))
        return try p.document()
    }

    private init(bytes: [UInt8]) {
        var bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        self.b = bytes
    }

    // MARK: - Building

    /// A table under construction; `closed` tables (inline, or values) cannot be extended.
    private final class Builder {
        enum Kind { case implicit, header, dotted, inline, root }
        let line: Int
        var kind: Kind
        var keys: [String] = []
        var entries: [String: Entry] = [:]
        init(line: Int, kind: Kind) {
            self.line = line
            self.kind = kind
        }
        func freeze() -> TOMLTable {
            var out: [String: TOMLNode] = [:]
            for k in keys {
                switch entries[k]! {
                case .value(let n): out[k] = n
                case .table(let t): out[k] = TOMLNode(line: t.line, value: .table(t.freeze()))
                case .tables(let ts, let line):
                    out[k] = TOMLNode(
                        line: line, value: .array(ts.map { TOMLNode(line: $0.line, value: .table($0.freeze())) }))
                }
            }
            return TOMLTable(line: line, keys: keys, entries: out)
        }
    }

    private enum Entry {
        case value(TOMLNode)
        case table(Builder)
        case tables([Builder], line: Int)
    }

    func error(_ message: String) -> TOMLError {
        TOMLError(line: line, column: i - lineStart + 1, message: message)
    }

    private mutating func document() throws(TOMLError) -> TOMLTable {
        let root = Builder(line: 1, kind: .root)
        var current = root
        while true {
            skipBlankLinesAndComments()
            guard let c = peek else { break }
            if c == UInt8(ascii: "[") {
                let headerLine = line
                let isArray = peek(1) == UInt8(ascii: "[")
                i += isArray ? 2 : 1
                skipSpaces()
                let path = try key()
                skipSpaces()
                guard consume("]") && (!isArray || consume("]")) else {
                    throw error(isArray ? "expected ']]' to close the table header" : "expected ']' to close the table header")
                }
                try endOfLine()
                if isArray {
                    let parent = try walk(root, path.dropLast(), line: headerLine)
                    let last = path.last!
                    let fresh = Builder(line: headerLine, kind: .header)
                    switch parent.entries[last] {
                    case nil:
                        parent.keys.append(last)
                        parent.entries[last] = .tables([fresh], line: headerLine)
                    case .tables(var list, let l)?:
                        list.append(fresh)
                        parent.entries[last] = .tables(list, line: l)
                    default:
                        throw TOMLError(line: headerLine, column: 1, message: "'\(path.joined(separator: "."))' is already defined and is not an array of tables")
                    }
                    current = fresh
                } else {
                    let parent = try walk(root, path.dropLast(), line: headerLine)
                    let last = path.last!
                    switch parent.entries[last] {
                    case nil:
                        let t = Builder(line: headerLine, kind: .header)
                        parent.keys.append(last)
                        parent.entries[last] = .table(t)
                        current = t
                    case .table(let t)? where t.kind == .implicit:
                        t.kind = .header
                        current = t
                    case .table(let t)? where t.kind == .header:
                        throw TOMLError(line: headerLine, column: 1, message: "table [\(path.joined(separator: "."))] is defined twice (first at line \(t.line))")
                    default:
                        throw TOMLError(line: headerLine, column: 1, message: "'\(path.joined(separator: "."))' is already defined")
                    }
                }
            } else {
                try keyValue(into: current)
                try endOfLine()
            }
        }
        return root.freeze()
    }

    /// Follows (creating as needed) the tables along a header path.
    private func walk(_ root: Builder, _ path: ArraySlice<String>, line: Int) throws(TOMLError) -> Builder {
        var t = root
        for k in path {
            switch t.entries[k] {
            case nil:
                let n = Builder(line: line, kind: .implicit)
                t.keys.append(k)
                t.entries[k] = .table(n)
                t = n
            case .table(let n)?:
                guard n.kind != .inline else {
                    throw TOMLError(line: line, column: 1, message: "inline table '\(k)' cannot be extended")
                }
                t = n
            case .tables(let list, _)?:
                t = list.last!
            case .value?:
                throw TOMLError(line: line, column: 1, message: "'\(k)' is a value, not a table")
            }
        }
        return t
    }

    private mutating func keyValue(into table: Builder) throws(TOMLError) {
        let keyLine = line
        let path = try key()
        skipSpaces()
        guard consume("=") else { throw error("expected '=' after key '\(path.joined(separator: "."))'") }
        skipSpaces()
        let value = try self.value()
        var t = table
        for k in path.dropLast() {
            switch t.entries[k] {
            case nil:
                let n = Builder(line: keyLine, kind: .dotted)
                t.keys.append(k)
                t.entries[k] = .table(n)
                t = n
            case .table(let n)? where n.kind == .dotted || n.kind == .implicit:
                t = n
            default:
                throw TOMLError(line: keyLine, column: 1, message: "'\(k)' is already defined and cannot take dotted keys here")
            }
        }
        let last = path.last!
        guard t.entries[last] == nil else {
            throw TOMLError(line: keyLine, column: 1, message: "key '\(path.joined(separator: "."))' is defined twice")
        }
        t.keys.append(last)
        t.entries[last] = .value(TOMLNode(line: keyLine, value: value))
    }

    // MARK: - Lexing helpers

    var peek: UInt8? { i < b.count ? b[i] : nil }
    func peek(_ k: Int) -> UInt8? { i + k < b.count ? b[i + k] : nil }

    private mutating func consume(_ c: Character) -> Bool {
        if peek == c.asciiValue {
            i += 1
            return true
        }
        return false
    }

    mutating func skipSpaces() {
        while let c = peek, c == 0x20 || c == 0x09 { i += 1 }
    }

    mutating func newline() -> Bool {
        if peek == 0x0A {
            i += 1
        } else if peek == 0x0D, peek(1) == 0x0A {
            i += 2
        } else {
            return false
        }
        line += 1
        lineStart = i
        return true
    }

    private mutating func skipComment() {
        if peek == UInt8(ascii: "#") {
            while let c = peek, c != 0x0A, c != 0x0D { i += 1 }
        }
    }

    private mutating func skipBlankLinesAndComments() {
        while true {
            skipSpaces()
            skipComment()
            if !newline() { return }
        }
    }

    private mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        skipComment()
        if peek == nil { return }
        guard newline() else { throw error("expected the end of the line") }
    }

    /// Skips whitespace, newlines and comments inside arrays.
    private mutating func skipArrayFiller() {
        while true {
            skipSpaces()
            skipComment()
            if !newline() { return }
        }
    }

    // MARK: - Keys

    private mutating func key() throws(TOMLError) -> [String] {
        let parts = try dottedKey()
        if parts.count > Self.maxDepth { throw error("a dotted key of more than \(Self.maxDepth) parts; a configuration never needs this") }
        return parts
    }

    private mutating func dottedKey() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let c = peek else { throw error("expected a key") }
            if c == UInt8(ascii: "\"") {
                i += 1
                parts.append(try basicString())
            } else if c == UInt8(ascii: "'") {
                i += 1
                parts.append(try literalString())
            } else {
                let start = i
                while let c = peek, isBareKeyByte(c) { i += 1 }
                guard i > start else { throw error("expected a key") }
                parts.append(String(decoding: b[start..<i], as: UTF8.self))
            }
            skipSpaces()
            if !consume(".") { return parts }
        }
    }

    private func isBareKeyByte(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 0x2D || c == 0x5F
    }

    // MARK: - Values

    private mutating func value() throws(TOMLError) -> TOMLValue {
        guard let c = peek else { throw error("expected a value") }
        switch c {
        case UInt8(ascii: "\""):
            if peek(1) == c, peek(2) == c {
                i += 3
                return .string(try multilineBasicString())
            }
            i += 1
            return .string(try basicString())
        case UInt8(ascii: "'"):
            if peek(1) == c, peek(2) == c {
                i += 3
                return .string(try multilineLiteralString())
            }
            i += 1
            return .string(try literalString())
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            guard depth < Self.maxDepth else {
                throw error("arrays and inline tables nested more than \(Self.maxDepth) deep; a configuration never needs this")
            }
            i += 1
            depth += 1
            defer { depth -= 1 }
            return c == UInt8(ascii: "[") ? .array(try array()) : .table(try inlineTable())
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if matchWord("true") { return .boolean(true) }
            if matchWord("false") { return .boolean(false) }
            throw error("expected a value (strings need quotes)")
        default:
            return try numberOrDate()
        }
    }

    private mutating func matchWord(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= b.count, Array(b[i..<i + w.count]) == w else { return false }
        if let next = (i + w.count < b.count ? b[i + w.count] : nil), isBareKeyByte(next) { return false }
        i += w.count
        return true
    }

    private mutating func array() throws(TOMLError) -> [TOMLNode] {
        var out: [TOMLNode] = []
        while true {
            skipArrayFiller()
            if consume("]") { return out }
            let l = line
            out.append(TOMLNode(line: l, value: try value()))
            skipArrayFiller()
            if consume(",") { continue }
            skipArrayFiller()
            guard consume("]") else { throw error("expected ',' or ']' in array") }
            return out
        }
    }

    private mutating func inlineTable() throws(TOMLError) -> TOMLTable {
        let t = Builder(line: line, kind: .inline)
        skipSpaces()
        if consume("}") { return t.freeze() }
        while true {
            skipSpaces()
            if peek == 0x0A || peek == 0x0D { throw error("inline tables stay on one line; use a [table] for more keys") }
            try keyValue(into: t)
            skipSpaces()
            if consume(",") { continue }
            guard consume("}") else { throw error("expected ',' or '}' in inline table (inline tables stay on one line)") }
            return t.freeze()
        }
    }

    private mutating func numberOrDate() throws(TOMLError) -> TOMLValue {
        let start = i
        // Dates: 4 digits then '-', or times: 2 digits then ':'.
        func isDigit(_ c: UInt8?) -> Bool { c.map { $0 >= 48 && $0 <= 57 } ?? false }
        if (isDigit(peek) && isDigit(peek(1)) && isDigit(peek(2)) && isDigit(peek(3)) && peek(4) == 0x2D)
            || (isDigit(peek) && isDigit(peek(1)) && peek(2) == 0x3A)
        {
            while let c = peek {
                if isDigit(c) || c == 0x2D || c == 0x3A || c == 0x2E || c == 0x2B || c == UInt8(ascii: "T")
                    || c == UInt8(ascii: "Z") || c == UInt8(ascii: "t") || c == UInt8(ascii: "z")
                {
                    i += 1
                } else if c == 0x20, isDigit(peek(1)), i - start == 10 {
                    i += 1
                } else {
                    break
                }
            }
            return .dateTime(String(decoding: b[start..<i], as: UTF8.self))
        }
        while let c = peek, isBareKeyByte(c) || c == 0x2B || c == 0x2E { i += 1 }
        let raw = String(decoding: b[start..<i], as: UTF8.self)
        guard !raw.isEmpty else { throw error("expected a value") }
        let clean = raw.replacingUnderscores()
        switch clean {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if clean.hasPrefix("0x"), let v = Int(clean.dropFirst(2), radix: 16) { return .integer(v) }
        if clean.hasPrefix("0o"), let v = Int(clean.dropFirst(2), radix: 8) { return .integer(v) }
        if clean.hasPrefix("0b"), let v = Int(clean.dropFirst(2), radix: 2) { return .integer(v) }
        if let v = Int(clean) { return .integer(v) }
        if clean.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let v = Double(clean) { return .float(v) }
        i = start
        throw error("'\(raw)' is not a valid value (strings need quotes)")
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(self.filter { $0 != "_" })
    }
}
