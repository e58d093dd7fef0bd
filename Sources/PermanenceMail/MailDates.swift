import PermanenceCore

/// Dates as email and calendars want them.
public enum MailDates {
    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func pad(_ n: Int, _ width: Int = 2) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// RFC 5322 §3.3: `Mon, 23 Nov 2026 19:05:00 +0000`.
    public static func rfc5322(_ t: Instant, zone: ZoneRules) -> String {
        let l = zone.localDateTime(at: t)
        let c = l.date.components
        let off = zone.offset(at: t)
        let sign = off < 0 ? "-" : "+"
        return "\(weekdays[l.date.weekday - 1]), \(c.day) \(months[c.month - 1]) \(c.year) \(pad(l.hour)):\(pad(l.minute)):\(pad(l.second)) "
            + "\(sign)\(pad(abs(off) / 3600))\(pad(abs(off) / 60 % 60))"
    }

    /// For people: `Tue 24 Nov 2026`, with ` 13:00` for an exact moment.
    public static func human(_ t: Instant, exact: Bool, zone: ZoneRules) -> String {
        let l = zone.localDateTime(at: t)
        let c = l.date.components
        let day = "\(weekdays[l.date.weekday - 1]) \(c.day) \(months[c.month - 1]) \(c.year)"
        return exact ? "\(day) \(pad(l.hour)):\(pad(l.minute))" : day
    }

    /// iCalendar UTC date-time `20261124T083000Z`.
    public static func icsUTC(_ t: Instant) -> String {
        let l = ZoneRules.utc.localDateTime(at: t)
        let c = l.date.components
        return "\(pad(c.year, 4))\(pad(c.month))\(pad(c.day))T\(pad(l.hour))\(pad(l.minute))\(pad(l.second))Z"
    }

    /// iCalendar date `20261124`.
    public static func icsDate(_ d: LocalDate) -> String {
        let c = d.components
        return "\(pad(c.year, 4))\(pad(c.month))\(pad(c.day))"
    }
}
