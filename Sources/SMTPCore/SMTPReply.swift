/// A server reply (RFC 5321 §4.2): a three-digit code and one or more lines of text.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    /// The text of each line, without the code and separator.
    public let lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// 2xx and 3xx: the command was accepted (3xx: go on).
    public var isPositive: Bool { code < 400 }
    /// 4xx: the server may accept the same thing later.
    public var isTransient: Bool { (400..<500).contains(code) }
    /// 5xx: trying again will not help.
    public var isPermanent: Bool { code >= 500 }

    /// `250 OK`, or the first line and a count for long replies, as a person would read it in a log.
    public var description: String {
        lines.count <= 1 ? "\(code) \(lines.first ?? "")" : "\(code) \(lines.joined(separator: " / "))"
    }
}

/// Reads reply lines (without their CRLF) and assembles multi-line replies (`250-...` up to `250 ...`).
public struct SMTPReplyParser: Sendable {
    private var code: Int?
    private var lines: [String] = []

    public init() {}

    /// A line that is not `NNN`, `NNN text` or `NNN-text`, or a continuation with another code.
    public struct MalformedReply: Error, Equatable, CustomStringConvertible {
        public let line: String
        public var description: String { "the server sent a line that is not an SMTP reply: \(line.prefix(120))" }
    }

    /// Takes one line; returns the reply when the line completes it.
    public mutating func feed(_ line: String) throws(MalformedReply) -> SMTPReply? {
        let bytes = Array(line.utf8)
        let digit = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard bytes.count >= 3, bytes[0..<3].allSatisfy(digit.contains), (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(bytes[0]),
            bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
        else { throw MalformedReply(line: line) }
        let value = Int(bytes[0] - 48) * 100 + Int(bytes[1] - 48) * 10 + Int(bytes[2] - 48)
        if let code, code != value { throw MalformedReply(line: line) }
        code = value
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        if bytes.count > 3 && bytes[3] == UInt8(ascii: "-") { return nil }
        defer {
            code = nil
            lines = []
        }
        return SMTPReply(code: value, lines: lines)
    }
}
