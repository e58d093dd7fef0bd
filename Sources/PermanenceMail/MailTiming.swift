import PermanenceCore

/// When an email about a notification should go: at once for the severities the admin chose (`immediate`),
/// otherwise with the worker's next digest (at a digest time on a working day). Quiet hours move an email to
/// the next working morning. Neither a digest nor quiet hours may take an email past its deadline: if waiting
/// would, it goes at once. Pure: the clock is a parameter.
public struct MailTiming: Sendable {
    let config: EmailConfiguration
    let zone: ZoneRules
    let calendar: WorkingCalendar

    public init(config: EmailConfiguration, zone: ZoneRules, calendar: WorkingCalendar) {
        self.config = config
        self.zone = zone
        self.calendar = calendar
    }

    /// Whether this notification gets an email of its own, at once, rather than a place in the next digest.
    public func isImmediate(_ severity: Severity) -> Bool { config.immediate.contains(severity) }

    /// When and how to email an item first known at `now`. A late item (one that fell due while the daemon
    /// was down, or a deadline that reached the store already due or overdue) never gets an email of its own:
    /// a first start on an imported history or a large import brings many together, and each worker should
    /// get one email about them, not hundreds. Late items of an `immediate` severity go together in one
    /// digest as soon as quiet hours allow; the others wait for the worker's next digest, as they would have.
    /// An escalation (`escalation: true`) is emailed at once whatever its severity: it is for a manager to
    /// act on now, and waiting for the next digest could take a Friday escalation to Monday.
    /// `nextNotice` is when the deadline's next notice is planned (the next rung): an email at once never
    /// waits for quiet hours past it.
    public func plan(severity: Severity, dueAt: Instant, now: Instant, late: Bool, escalation: Bool = false,
                     nextNotice: Instant? = nil) -> (sendAt: Instant, immediate: Bool) {
        let atOnce = isImmediate(severity) || escalation
        var wanted = atOnce ? afterQuietHours(now) : nextDigest(atOrAfter: now)
        if atOnce, let next = nextNotice, wanted > next { wanted = max(now, next) }
        // A deadline still ahead (a due notice missed this morning, too) is never announced after it passed.
        return (wanted > dueAt && dueAt > now ? now : wanted, atOnce && !late)
    }

    /// The moment to email an item first known at `now`.
    public func sendAt(severity: Severity, dueAt: Instant, now: Instant) -> Instant {
        plan(severity: severity, dueAt: dueAt, now: now, late: false).sendAt
    }

    /// The first digest time on a working day at or after `t`.
    public func nextDigest(atOrAfter t: Instant) -> Instant {
        let times = config.digestTimes.isEmpty ? [8 * 3600 + 30 * 60] : config.digestTimes
        var day = zone.localDate(at: t)
        for _ in 0..<400 {
            if config.digestOnEveryDay || isWorkingDay(day) {
                for s in times {
                    let at = zone.instant(LocalDateTime(date: day, secondOfDay: s))
                    if at >= t { return at }
                }
            }
            day = day.adding(days: 1)
        }
        return t
    }

    /// `t`, or the end of quiet hours on the next working day when `t` falls in quiet hours.
    public func afterQuietHours(_ t: Instant) -> Instant {
        guard let start = config.quietStart, let end = config.quietEnd, start != end else { return t }
        let local = zone.localDateTime(at: t)
        let s = local.secondOfDay
        let quiet = start > end ? (s >= start || s < end) : (s >= start && s < end)
        guard quiet else { return t }
        // Quiet hours that span midnight and began this evening end tomorrow; otherwise they end today.
        var day = start > end && s >= start ? local.date.adding(days: 1) : local.date
        for _ in 0..<400 where !isWorkingDay(day) { day = day.adding(days: 1) }
        return zone.instant(LocalDateTime(date: day, secondOfDay: end))
    }

    /// The weekly team report's moment in the week of `day`: the configured weekday at its time, or, when that
    /// day is not a working day (a bank holiday Monday), the next working day at that time; inside quiet
    /// hours, at their end. Nil when there is no team report.
    func teamReportMoment(inWeekOf day: LocalDate) -> Instant? {
        guard let r = config.teamReport else { return nil }
        var d = day.adding(days: r.weekday - day.weekday)
        for _ in 0..<14 where !isWorkingDay(d) { d = d.adding(days: 1) }
        return afterQuietHours(zone.instant(LocalDateTime(date: d, secondOfDay: r.time)))
    }

    /// The last team report moment at or before `t` (nil: none configured).
    public func teamReport(atOrBefore t: Instant) -> Instant? {
        let day = zone.localDate(at: t)
        return [-14, -7, 0, 7].compactMap { teamReportMoment(inWeekOf: day.adding(days: $0)) }.filter { $0 <= t }.max()
    }

    /// The first team report moment after `t` (nil: none configured).
    public func teamReport(after t: Instant) -> Instant? {
        let day = zone.localDate(at: t)
        return [-7, 0, 7, 14].compactMap { teamReportMoment(inWeekOf: day.adding(days: $0)) }.filter { $0 > t }.min()
    }

    func isWorkingDay(_ d: LocalDate) -> Bool { (try? calendar.isWorkingDay(d)) ?? !d.isWeekend }

    /// The wait before attempt `attempts + 1` after a temporary failure (the last configured wait repeats).
    public func retryDelay(afterAttempts attempts: Int) -> Int {
        let r = config.retry.isEmpty ? [3600] : config.retry
        return r[min(max(attempts - 1, 0), r.count - 1)]
    }
}
