import PermanenceCore

/// Where a deadline stands at the moment an email is written, in the words a worker reads first: "due in 4
/// hours", "due today 11:22", "due Tue 29 Dec, 2 working days away", "overdue by 1 working day", with
/// "escalated (level 2)" after an escalation. Working days are those of the case's calendar, so closure
/// days and bank holidays before a due date are said.
public struct MailStanding: Sendable, Equatable {
    /// The standing without the escalation: `overdue by 2 hours`.
    public let when: String
    /// With the escalation, if it is one: `overdue by 2 hours, escalated (level 1)`.
    public let words: String
    /// `2 hours`, `1 working day`: nil unless overdue.
    public let overdueBy: String?
    /// Working days from tomorrow up to and including the due day; nil once due or overdue.
    public let workingDaysLeft: Int?
    /// Bank holidays and closure days between today and the due day (at most three named).
    public let closures: String?
    public let isOverdue: Bool

    public init(_ item: MailItem, now: Instant, zone: ZoneRules, calendar: WorkingCalendar?) {
        let today = zone.localDate(at: now)
        let day = item.dueDay(zone)
        let time = MailDates.human(item.dueAt, exact: true, zone: zone).split(separator: " ").last.map(String.init) ?? ""
        let overdue = item.dueAt <= now
        isOverdue = overdue
        func plural(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s")" }
        func dayWords(_ d: LocalDate) -> String {
            let c = d.components
            let t = today.components
            let s = "\(d.weekdayName.prefix(3)) \(c.day) \(MailDates.months[c.month - 1])"
            return c.year == t.year ? s : "\(s) \(c.year)"
        }
        var overdueBy: String?
        var left: Int?
        var closures: String?
        var when: String
        if overdue {
            let late = now.seconds - item.dueAt.seconds
            if item.isExact && late < 86_400 {
                overdueBy = late < 3600 ? plural(max(1, late / 60), "minute") : plural(late / 3600, "hour")
            } else if let calendar, let n = try? calendar.workingDays(from: day.adding(days: 1), to: today.adding(days: 1)), n > 0 {
                // An exact deadline says the hours too: "2 working days (52 hours)".
                overdueBy = plural(n, "working day") + (item.isExact ? " (\(plural(late / 3600, "hour")))" : "")
            }
            when = overdueBy.map { "overdue by \($0)" } ?? "overdue since \(dayWords(day))\(item.isExact ? " \(time)" : "")"
        } else {
            let away = item.dueAt.seconds - now.seconds
            if day == today {
                when = item.isExact ? "due today \(time)" : "due today"
                if item.isExact && away < 12 * 3600 {
                    when += away < 3600 ? " (in \(plural(max(1, away / 60), "minute")))" : " (in \(plural(away / 3600, "hour")))"
                }
            } else if item.isExact && away < 12 * 3600 {
                let soon = away < 3600 ? plural(max(1, away / 60), "minute") : plural(away / 3600, "hour")
                when = "due in \(soon) (\(dayWords(day)) \(time))"
            } else if day == today.adding(days: 1) {
                when = item.isExact ? "due tomorrow \(time)" : "due tomorrow"
            } else {
                when = "due \(dayWords(day))\(item.isExact ? " \(time)" : "")"
                if let calendar, let n = try? calendar.workingDays(from: today.adding(days: 1), to: day.adding(days: 1)) {
                    left = n
                    when += n == 0 ? ", no working day before then" : ", \(plural(n, "working day")) away"
                    let closed = calendar.holidays(between: today, and: day)
                    if !closed.isEmpty {
                        let named = closed.prefix(3).map { "\(dayWords($0.date)) \($0.name)" }.joined(separator: ", ")
                        closures = named + (closed.count > 3 ? " and \(closed.count - 3) more" : "")
                    }
                }
            }
        }
        self.when = when
        self.overdueBy = overdueBy
        self.workingDaysLeft = left
        self.closures = closures
        words = item.stage == .escalation && item.level > 0 ? "\(when), escalated (level \(item.level))" : when
    }
}
