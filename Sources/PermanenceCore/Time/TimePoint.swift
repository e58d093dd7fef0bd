/// A moment as a person writes it: a whole day (`2026-10-23`) or a time of day (`2026-10-23T14:00`,
/// optionally with an offset `+01:00` or `Z`).
public enum TimePoint: Sendable, Equatable, CustomStringConvertible {
    /// A calendar day with no time of day.
    case date(LocalDate)
    /// A wall-clock time in the configured zone, with the instant it stands for.
    case dateTime(LocalDateTime, Instant)

    /// The error for text that is not an ISO 8601 date or date-time.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let text: String
        public let reason: String
        public var description: String {
            "'\(text)' is not a valid date or date-time (\(reason)); use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] "
                + "or YYYY-MM-DDTHH:MM[:SS]±HH:MM"
        }
    }

    /// Parses ISO 8601 text. A local date-time is read in `zone`; one with an offset is converted into it.
    public static func parse(_ text: String, zone: ZoneRules) throws(ParseError) -> TimePoint {
        let b = Array(text.utf8)
        func fail(_ reason: String) -> ParseError { ParseError(text: text, reason: reason) }
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for k in at..<at + n {
                guard b[k] >= 48, b[k] <= 57 else { return nil }
                v = v * 10 + Int(b[k] - 48)
            }
            return v
        }
        guard let y = digits(0, 4), b.count >= 10, b[4] == 45, let mo = digits(5, 2), b[7] == 45, let d = digits(8, 2)
        else { throw fail("expected YYYY-MM-DD at the start") }
        guard let date = LocalDate(year: y, month: mo, day: d) else { throw fail("no such day") }
        if b.count == 10 { return .date(date) }
        guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "t") else {
            throw fail("expected 'T' between date and time")
        }
        guard let hh = digits(11, 2), b.count >= 16, b[13] == 58, let mm = digits(14, 2) else {
            throw fail("expected HH:MM after the date")
        }
        var i = 16
        var ss = 0
        if i < b.count, b[i] == 58 {
            guard let s = digits(i + 1, 2) else { throw fail("expected seconds after HH:MM:") }
            ss = s
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") {  // fractional seconds are accepted and dropped
                i += 1
                while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            }
        }
        guard let local = LocalDateTime(year: y, month: mo, day: d, hour: hh, minute: mm, second: ss) else {
            throw fail("hour, minute or second out of range")
        }
        if i == b.count {
            return .dateTime(local, zone.instant(local))
        }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1, 2) else { throw fail("expected ±HH:MM offset") }
            i += 3
            var om = 0
            if i < b.count, b[i] == 58 { i += 1 }
            if i < b.count {
                guard let m = digits(i, 2) else { throw fail("expected ±HH:MM offset") }
                om = m
                i += 2
            }
            guard oh <= 18, om <= 59 else { throw fail("offset out of range") }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            throw fail("unexpected text after the time")
        }
        guard i == b.count else { throw fail("unexpected text after the offset") }
        let instant = Instant(seconds: local.wallSeconds - offset)
        return .dateTime(zone.localDateTime(at: instant), instant)
    }

    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS` (local).
    public var description: String {
        switch self {
        case .date(let d): return d.description
        case .dateTime(let l, _): return l.description
        }
    }
}

/// Formatting instants for people and for machines.
extension ZoneRules {
    /// `YYYY-MM-DDTHH:MM:SS±HH:MM` in this zone.
    public func iso8601(_ instant: Instant) -> String {
        let local = localDateTime(at: instant)
        return local.description + ZoneRules.offsetString(offset(at: instant))
    }

    /// `2026-10-26 13:00 GMT`.
    public func humanDateTime(_ instant: Instant) -> String {
        let local = localDateTime(at: instant)
        return "\(local.date) \(local.timeDescription) \(abbreviation(at: instant))"
    }

    /// `+01:00`.
    public static func offsetString(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let a = abs(seconds)
        return "\(sign)\(pad(a / 3600, 2)):\(pad(a / 60 % 60, 2))"
    }
}
