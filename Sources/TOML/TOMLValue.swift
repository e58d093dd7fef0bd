/// A parsed TOML value with the line it was written on.
public struct TOMLNode: Sendable {
    /// 1-based line of the value (for a table: of its header or first key).
    public let line: Int
    public let value: TOMLValue

    public init(line: Int, value: TOMLValue) {
        self.line = line
        self.value = value
    }
}

/// The kinds of TOML value. Dates and times are kept as written; the reader of a key parses them.
public enum TOMLValue: Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case dateTime(String)
    case array([TOMLNode])
    case table(TOMLTable)

    /// `string`, `integer`, ...: for "expected a string, found an integer" messages.
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a float"
        case .boolean: return "a boolean"
        case .dateTime: return "a date-time"
        case .array: return "an array"
        case .table: return "a table"
        }
    }
}

/// A TOML table: keys in the order they were written, each with its value and line.
public struct TOMLTable: Sendable {
    public let line: Int
    public let keys: [String]
    let entries: [String: TOMLNode]

    init(line: Int, keys: [String], entries: [String: TOMLNode]) {
        self.line = line
        self.keys = keys
        self.entries = entries
    }

    public subscript(key: String) -> TOMLNode? { entries[key] }
}

/// A TOML syntax error at a line and column.
public struct TOMLError: Error, CustomStringConvertible, Sendable {
    public let line: Int
    public let column: Int
    public let message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}
