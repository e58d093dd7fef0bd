import TOML

/// Reads the keys of one TOML table strictly: every key it is asked for is typed and checked, and
/// `finish` reports every key nobody asked for, so a typo is never silently ignored.
struct TableReader {
    let table: TOMLTable
    let file: String
    /// Dotted path of this table, for messages (`rule.post-placement-visit`).
    let path: String
    let diagnostics: Diagnostics
    private var asked: [String] = []

    /// The root reader of a file's text, or nil after reporting its TOML syntax error.
    static func root(file: String, text: String, diagnostics: Diagnostics) -> TableReader? {
        do {
            return TableReader(try TOMLParser.parse(text), file: file, path: "", diagnostics: diagnostics)
        } catch {
            diagnostics.report(file, error.line, "", "TOML syntax error at column \(error.column): \(error.message)")
            return nil
        }
    }

    init(_ table: TOMLTable, file: String, path: String, diagnostics: Diagnostics) {
        self.table = table
        self.file = file
        self.path = path
        self.diagnostics = diagnostics
    }

    var line: Int { table.line }

    func key(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    func report(_ k: String, _ line: Int, _ message: String) {
        diagnostics.report(file, line, key(k), message)
    }

    func lineOf(_ k: String) -> Int { table[k]?.line ?? table.line }

    func has(_ k: String) -> Bool { table[k] != nil }

    private mutating func node(_ k: String, required: Bool) -> TOMLNode? {
        asked.append(k)
        guard let n = table[k] else {
            if required { report(k, table.line, "missing; this key is required") }
            return nil
        }
        return n
    }

    mutating func string(_ k: String, required: Bool = false) -> String? {
        guard let n = node(k, required: required) else { return nil }
        guard case .string(let s) = n.value else {
            report(k, n.line, "expected a string, found \(n.value.typeName)")
            return nil
        }
        if required && s.trimmingSpaces.isEmpty {
            report(k, n.line, "must not be empty")
            return nil
        }
        return s
    }

    mutating func bool(_ k: String) -> Bool? {
        guard let n = node(k, required: false) else { return nil }
        guard case .boolean(let v) = n.value else {
            report(k, n.line, "expected true or false, found \(n.value.typeName)")
            return nil
        }
        return v
    }

    mutating func integer(_ k: String, in range: ClosedRange<Int>) -> Int? {
        guard let n = node(k, required: false) else { return nil }
        guard case .integer(let v) = n.value else {
            report(k, n.line, "expected an integer, found \(n.value.typeName)")
            return nil
        }
        guard range.contains(v) else {
            report(k, n.line, "\(v) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return v
    }

    /// A string or an array of strings, as a list with the line of each element.
    mutating func strings(_ k: String, required: Bool = false) -> [(String, Int)] {
        guard let n = node(k, required: required) else { return [] }
        switch n.value {
        case .string(let s): return [(s, n.line)]
        case .array(let items):
            var out: [(String, Int)] = []
            for item in items {
                guard case .string(let s) = item.value else {
                    report(k, item.line, "expected strings in the array, found \(item.value.typeName)")
                    continue
                }
                out.append((s, item.line))
            }
            if required && out.isEmpty { report(k, n.line, "must list at least one value") }
            return out
        default:
            report(k, n.line, "expected a string or an array of strings, found \(n.value.typeName)")
            return []
        }
    }

    mutating func offset(_ k: String, required: Bool = false) -> Offset? {
        guard let n = node(k, required: required) else { return nil }
        guard case .string(let s) = n.value else {
            report(k, n.line, "expected an offset in quotes such as \"28d\", found \(n.value.typeName)")
            return nil
        }
        do {
            return try Offset.parse(s)
        } catch {
            report(k, n.line, error.description)
            return nil
        }
    }

    mutating func offsets(_ k: String) -> [Offset] {
        var out: [Offset] = []
        for (s, line) in strings(k) {
            do {
                out.append(try Offset.parse(s))
            } catch {
                report(k, line, error.description)
            }
        }
        return out
    }

    mutating func table(_ k: String) -> TableReader? {
        guard let n = node(k, required: false) else { return nil }
        guard case .table(let t) = n.value else {
            report(k, n.line, "expected a table, found \(n.value.typeName)")
            return nil
        }
        return TableReader(t, file: file, path: key(k), diagnostics: diagnostics)
    }

    /// An array of tables (`[[rule]]`) or an inline array of inline tables.
    mutating func tables(_ k: String, name: (TOMLTable, Int) -> String) -> [TableReader] {
        guard let n = node(k, required: false) else { return [] }
        guard case .array(let items) = n.value else {
            report(k, n.line, "expected an array of tables ([[\(key(k))]]), found \(n.value.typeName)")
            return []
        }
        var out: [TableReader] = []
        for (index, item) in items.enumerated() {
            guard case .table(let t) = item.value else {
                report(k, item.line, "expected a table, found \(item.value.typeName)")
                continue
            }
            out.append(TableReader(t, file: file, path: name(t, index), diagnostics: diagnostics))
        }
        return out
    }

    /// One table, or an array of them: a key that usually holds one table but may hold several.
    mutating func tableOrTables(_ k: String, name: (TOMLTable, Int) -> String) -> [TableReader] {
        if case .array = table[k]?.value { return tables(k, name: name) }
        return table(k).map { [$0] } ?? []
    }

    /// Each sub-table of this table, by key (`[roles.team-manager]`).
    mutating func subtables() -> [(String, TableReader)] {
        var out: [(String, TableReader)] = []
        for k in table.keys {
            asked.append(k)
            guard case .table(let t) = table[k]!.value else {
                report(k, table[k]!.line, "expected a table, found \(table[k]!.value.typeName)")
                continue
            }
            out.append((k, TableReader(t, file: file, path: key(k), diagnostics: diagnostics)))
        }
        return out
    }

    /// Reports every key that was not read, with a suggestion when it looks like a typo.
    func finish() {
        for k in table.keys where !asked.contains(k) {
            report(k, table[k]!.line, "unknown key\(didYouMean(k, asked)); known keys here: \(asked.joined(separator: ", "))")
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    public var trimmingSpaces: Substring {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
