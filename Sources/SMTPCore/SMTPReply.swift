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
///
/// A reply may have at most `maxLines` lines and `maxBytes` bytes of text: a server (or a man in the middle
/// before STARTTLS) that floods continuation lines is cut off rather than grow the daemon's memory.
public struct SMTPReplyParser: Sendable {
    private var code: Int?
    private var lines: [String] = []
    private var bytes = 0

    /// Far more than any real reply (an EHLO lists a dozen extensions).
    public static let maxLines = 100
    public static let maxBytes = 64 * 1024

    public init() {}

    /// A line that is not `NNN`, `NNN text` or `NNN-text`, a continuation with another code, or a reply
    /// past the limits.
    public struct MalformedReply: Error, Equatable, CustomStringConvertible {
        public let line: String
        public var reason: String? = nil
        public var description: String {
            reason ?? "the server sent a line that is not an SMTP reply: \(String(line.prefix(120).unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }))"
        }
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
        self.bytes += bytes.count
        if lines.count >= Self.maxLines || self.bytes > Self.maxBytes {
            throw MalformedReply(line: line, reason: "the server sent a reply of more than \(Self.maxLines) lines or \(Self.maxBytes / 1024) KiB")
        }
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        if bytes.count > 3 && bytes[3] == UInt8(ascii: "-") { return nil }
        defer {
            code = nil
            lines = []
            self.bytes = 0
        }
        return SMTPReply(code: value, lines: lines)
    }
}
