import PermanenceCore

/// Dates as email and calendars want them, from the core's ISO 8601 forms.
public enum MailDates {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Mon 23 Nov 2026` (`Mon, 23 Nov 2026` with a comma, as RFC 5322 writes it).
    static func day(_ d: LocalDate, comma: Bool = false) -> String {
        let c = d.components
        return "\(d.weekdayName.prefix(3))\(comma ? "," : "") \(c.day) \(months[c.month - 1]) \(c.year)"
    }

    /// RFC 5322 §3.3: `Mon, 23 Nov 2026 19:05:00 +0000`.
    public static func rfc5322(_ t: Instant, zone: ZoneRules) -> String {
        let l = zone.localDateTime(at: t)
        let time = l.description.split(separator: "T")[1]
        let offset = ZoneRules.offsetString(zone.offset(at: t)).filter { $0 != ":" }
        return "\(day(l.date, comma: true)) \(time) \(offset)"
    }

    /// For people: `Tue 24 Nov 2026`, with ` 13:00` for an exact moment.
    static func human(_ t: Instant, exact: Bool, zone: ZoneRules) -> String {
        let l = zone.localDateTime(at: t)
        return exact ? "\(day(l.date)) \(l.description.split(separator: "T")[1].prefix(5))" : day(l.date)
    }

    /// iCalendar UTC date-time `20261124T083000Z`.
    static func icsUTC(_ t: Instant) -> String {
        ZoneRules.utc.localDateTime(at: t).description.filter { $0 != "-" && $0 != ":" } + "Z"
    }

    /// iCalendar date `20261124`.
    static func icsDate(_ d: LocalDate) -> String { d.description.filter { $0 != "-" } }
}
