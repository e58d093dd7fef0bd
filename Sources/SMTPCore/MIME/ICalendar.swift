/// An iCalendar object (RFC 5545) with one event per deadline, so a worker can put deadlines in their
/// calendar. Values are escaped, lines folded at 75 octets without splitting a UTF-8 character, CRLF.
public struct ICalendar: Sendable, Equatable {
    public struct Event: Sendable, Equatable {
        /// Stable across messages, so a calendar updates the event instead of adding another.
        public var uid: String
        /// `20261124` for a whole-day deadline, or `20261124T083000Z` for an exact one.
        public var start: String
        /// The day after for a whole-day deadline (DTEND is exclusive), or the exact end.
        public var end: String
        public var summary: String
        public var description: String
        public var url: String?
        /// Revision of the event (RFC 5545 §3.8.7.4): higher each time its date moves or it is cancelled, so a
        /// calendar takes the newer version.
        public var sequence: Int
        /// A reminder this many seconds before the event starts (a `VALARM`), if any.
        public var alarmBefore: Int?

        public init(uid: String, start: String, end: String, summary: String, description: String, url: String? = nil,
                    sequence: Int = 0, alarmBefore: Int? = nil) {
            self.uid = uid
            self.start = start
            self.end = end
            self.summary = summary
            self.description = description
            self.url = url
            self.sequence = sequence
            self.alarmBefore = alarmBefore
        }

        var isWholeDay: Bool { !start.contains("T") }
    }

    public var productID = "-//permanenced//permanenced//EN"
    /// When the object was made, UTC (`20261123T190500Z`).
    public var stamp: String
    public var events: [Event]
    /// `PUBLISH` (add or update these events) or `CANCEL` (take them out of the calendar).
    public var method: Method

    /// Who publishes the events (`ORGANIZER;CN=...:mailto:...`).
    public var organizer: MailMessage.Mailbox?

    public enum Method: String, Sendable {
        case publish = "PUBLISH"
        case cancel = "CANCEL"
    }

    public init(stamp: String, events: [Event], method: Method = .publish, organizer: MailMessage.Mailbox? = nil) {
        self.stamp = stamp
        self.events = events
        self.method = method
        self.organizer = organizer
    }

    public func render() -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(productID)", "METHOD:\(method.rawValue)", "CALSCALE:GREGORIAN"]
        for e in events {
            lines += ["BEGIN:VEVENT", "UID:\(Self.escape(e.uid))", "DTSTAMP:\(stamp)", "SEQUENCE:\(max(0, e.sequence))"]
            if let o = organizer {
                // A parameter value is quoted when it holds `:`, `;` or `,` (RFC 5545 §3.2); `"` cannot be in it.
                let cn = Self.escape(o.name ?? "").filter { $0 != "\"" && $0 != "\\" }
                lines.append("ORGANIZER;CN=\"\(cn)\":mailto:\(o.address.filter { !$0.isWhitespace && $0 != "\"" })")
            }
            if method == .cancel { lines.append("STATUS:CANCELLED") }
            if e.isWholeDay {
                lines += ["DTSTART;VALUE=DATE:\(e.start)", "DTEND;VALUE=DATE:\(e.end)"]
            } else {
                lines += ["DTSTART:\(e.start)", "DTEND:\(e.end)"]
            }
            lines += ["SUMMARY:\(Self.escape(e.summary))", "DESCRIPTION:\(Self.escape(e.description))", "TRANSP:TRANSPARENT"]
            if let url = e.url { lines.append("URL:\(url.filter { !$0.isNewline && $0 != " " })") }
            if method == .publish, let before = e.alarmBefore, before > 0 {
                lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:\(Self.escape(e.summary))",
                          "TRIGGER:-PT\(before / 60)M", "END:VALARM"]
            }
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(Self.fold).joined(separator: "\r\n") + "\r\n"
    }

    /// TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks escaped.
    static func escape(_ s: String) -> String {
        var out = ""
        for line in s.replacingLineBreaks().enumerated() {
            if line.offset > 0 { out += "\\n" }
            for c in String(decoding: line.element, as: UTF8.self) {
                switch c {
                case "\\": out += "\\\\"
                case ";": out += "\\;"
                case ",": out += "\\,"
                default: if c.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value != 127 }) { out.append(c) }
                }
            }
        }
        return out
    }

    /// Lines longer than 75 octets continue on lines that start with a space (RFC 5545 §3.1).
    static func fold(_ line: String) -> String {
        var out = ""
        var count = 0
        for c in line {
            let n = String(c).utf8.count
            if count + n > 75 {
                out += "\r\n "
                count = 1
            }
            out.append(c)
            count += n
        }
        return out
    }
}
