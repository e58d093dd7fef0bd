/// The units an offset can be written in.
public enum OffsetUnit: String, Sendable, CaseIterable {
    /// Elapsed hours: 72h across a clock change ends at a different wall-clock hour.
    case hours = "h"
    /// Calendar days, wall-clock time kept.
    case days = "d"
    /// Calendar weeks (7 days), wall-clock time kept.
    case weeks = "w"
    /// Calendar months, clamped to the month's last day.
    case months = "mo"
    /// Working days of the case's calendar; day 0 is the anchor day.
    case workingDays = "wd"

    /// `working days`, for sentences.
    public var noun: String {
        switch self {
        case .hours: return "hours"
        case .days: return "days"
        case .weeks: return "weeks"
        case .months: return "months"
        case .workingDays: return "working days"
        }
    }
}

/// A signed amount of time in one unit, written `[+|-]N(h|d|w|mo|wd)`: `72h`, `28d`, `-3wd`, `40w`, `3mo`.
public struct Offset: Hashable, Sendable, CustomStringConvertible {
    public var amount: Int
    public var unit: OffsetUnit

    public init(_ amount: Int, _ unit: OffsetUnit) {
        self.amount = amount
        self.unit = unit
    }

    /// The error for text that is not an offset.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let text: String
        public var description: String {
            "'\(text)' is not an offset; write [+|-]N followed by h (hours), d (days), w (weeks), mo (months) "
                + "or wd (working days), e.g. 72h, 28d, 40w, 3mo, -3wd"
        }
    }

    /// About how long the offset is, in seconds (a month 730 hours, a working day 34): for ordering lead
    /// times and for a calendar alarm, never for a deadline.
    public var roughSeconds: Int {
        let n = abs(amount)
        switch unit {
        case .hours: return n * 3600
        case .days: return n * 86_400
        case .weeks: return n * 7 * 86_400
        case .months: return n * 730 * 3600
        case .workingDays: return n * 34 * 3600
        }
    }

    /// Parses `[+|-]N(h|d|w|mo|wd)`.
    public static func parse(_ text: String) throws(ParseError) -> Offset {
        var s = Substring(text)
        var sign = 1
        if s.first == "+" || s.first == "-" {
            sign = s.first == "-" ? -1 : 1
            s = s.dropFirst()
        }
        let digits = s.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 6, let n = Int(digits),
            let unit = OffsetUnit(rawValue: String(s.dropFirst(digits.count)))
        else { throw ParseError(text: text) }
        return Offset(sign * n, unit)
    }

    /// The same offset pointing the other way.
    public var negated: Offset { Offset(-amount, unit) }

    /// `72h`, `-3wd`.
    public var description: String { "\(amount)\(unit.rawValue)" }

    /// `+72h`, `-3wd`: always signed, as `calc` and explanations show it.
    public var signedDescription: String { amount < 0 ? description : "+\(description)" }

    /// `72 hours`, `3 working days`, `1 week`.
    public var phrase: String {
        let n = abs(amount)
        var noun = unit.noun
        if n == 1 { noun.removeLast() }
        return "\(n) \(noun)"
    }
}
