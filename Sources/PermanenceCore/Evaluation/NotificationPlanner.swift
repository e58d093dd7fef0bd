/// Plans the reminders, due notices, overdue notices and escalations of evaluated deadlines.
///
/// Notices for whole-day deadlines go out at the configured start of the working day; those for exact
/// deadlines (hours) at exact instants. Nothing is planned before the clock started, or once the deadline
/// is met or moot.
public struct NotificationPlanner: Sendable {
    public let ruleSet: RuleSet

    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
    }

    /// Notifications with `from <= at < until`, in time order.
    ///
    /// With `catchUp`, each deadline still open at `from` also brings the last notification it had before
    /// `from` (the highest rung of its ladder already passed), marked `isCatchUp`: a deadline recorded late,
    /// or found due or overdue by a first start, is announced once where it stands instead of not at all. A
    /// daemon that queued everything before `from` has queued that one already, and the outbox ignores it.
    /// A passed reminder is not caught up: the due notice still to come says the same, in time.
    public func plan(_ evaluation: CaseEvaluation, from: Instant, until: Instant, catchUp: Bool = false) -> [PlannedNotification] {
        var out: [PlannedNotification] = []
        guard let calc = ruleSet.calculators[evaluation.caseRecord.calendar]?.local else { return [] }
        for d in evaluation.deadlines {
            // A "not before" step has no latest date: nothing to remind of or chase.
            guard let c = d.computed, c.kind != .notBefore else { continue }
            if catchUp {
                var all: [PlannedNotification] = []
                plan(d, c, evaluation, calc, from: .distantPast, until: until, into: &all, skipBefore: from)
                let passed = all.filter { $0.at < from }.max { ($0.at, $0.stage.rank, $0.level) < ($1.at, $1.stage.rank, $1.level) }
                if let passed, passed.stage != .reminder { out.append(passed.caughtUp()) }
                out += all.filter { $0.at >= from }
            } else {
                plan(d, c, evaluation, calc, from: from, until: until, into: &out, skipBefore: from)
            }
        }
        out.sort { $0.at != $1.at ? $0.at < $1.at : $0.key < $1.key }
        return out
    }

    // swiftlint:disable:next function_parameter_count
    private func plan(
        _ d: Deadline, _ c: Deadline.Computed, _ evaluation: CaseEvaluation, _ calc: DateCalculator, from: Instant, until: Instant,
        into out: inout [PlannedNotification], skipBefore: Instant
    ) {
        let rule = ruleSet.rules[d.ruleIndex]
        let cr = evaluation.caseRecord
        let zone = ruleSet.zone
        let stop = min(c.met?.at ?? .distantFuture, c.moot?.at ?? .distantFuture)
        // Most deadlines of a long history have nothing in the window (or, catching up, closed before it):
        // skip them before any date arithmetic.
        if stop <= skipBefore { return }
        let slack = 4 * 86_400  // working-day and morning adjustments move a notice by a few days at most
        let lastPossible = c.dueInstant.seconds + (rule.escalate.map { Self.upperBound($0.after) }.max() ?? 0) + slack
        let firstPossible = c.dueInstant.seconds - (rule.remind.map { Self.upperBound($0) }.max() ?? 0) - slack
        if lastPossible < from.seconds || firstPossible >= until.seconds { return }
        let clockStarted = rule.due.amount >= 0 ? c.anchor.at : Instant.distantPast
        let cal = calc.calendar
        func morning(_ date: LocalDate) -> Instant {
            zone.instant(LocalDateTime(date: date, secondOfDay: ruleSet.configuration.dayStart))
        }
        func workingOnOrBefore(_ date: LocalDate) -> LocalDate { (try? cal.workingDay(onOrBefore: date)) ?? date }
        func workingOnOrAfter(_ date: LocalDate) -> LocalDate { (try? cal.workingDay(onOrAfter: date)) ?? date }
        func recipients(_ roles: [String]) -> [Recipient] {
            var seen = Set<String>()
            return roles.filter { seen.insert($0).inserted }.map { Recipient(role: $0, worker: cr.assignments[$0]) }
        }
        func add(_ at: Instant, _ stage: NotificationStage, _ level: Int, _ roles: [String]) {
            guard at >= from, at < until, at < stop else { return }
            let deadlineKey = evaluation.key(d)
            let key = PlannedNotification.key(deadline: deadlineKey, stage: stage, level: level, due: c.dueInstant)
            out.append(PlannedNotification(
                at: at, caseRef: cr.reference, ruleIndex: d.ruleIndex, ruleID: rule.id, stage: stage, level: level,
                cycle: d.cycle, dueInstant: c.dueInstant, dueDate: c.dueDate, isExact: c.isExact,
                severity: rule.severity, recipients: recipients(roles),
                closesAt: stop == .distantFuture ? nil : stop, key: key, deadlineKey: deadlineKey))
        }
        let owners = [rule.owner] + rule.copy
        let duePoint: TimePoint = .dateTime(zone.localDateTime(at: c.dueInstant), c.dueInstant)

        // Overdue: at the exact moment, or the next working morning after the due day.
        let overdueAt = c.isExact ? c.dueInstant : morning(workingOnOrAfter(c.dueDate.adding(days: 1)))
        // Catching up on a deadline already overdue before the window: its reminders and due notice (all
        // before the overdue notice) can be neither in the window nor the highest rung passed.
        let ladderOnly = from < skipBefore && overdueAt < skipBefore
        if !ladderOnly {
            // Reminders, earliest first.
            let leads = rule.remind.sorted { $0.roughSeconds > $1.roughSeconds }
            for (n, l) in leads.enumerated() {
                var at: Instant?
                if c.isExact {
                    if case .dateTime(_, let i)? = try? calc.add(l.negated, to: duePoint) { at = i }
                } else if let date = try? calc.addToDate(l.negated, c.dueDate) {
                    at = morning(workingOnOrBefore(l.unit == .hours ? c.dueDate.adding(days: -((l.amount + 23) / 24)) : date))
                }
                if let at, at >= clockStarted { add(at, .reminder, n + 1, owners) }
            }
            // Due notice: the morning of the due day (before an exact deadline), never before the clock starts.
            var dueAt = morning(c.isExact ? c.dueDate : workingOnOrBefore(c.dueDate))
            if c.isExact { dueAt = min(dueAt, c.dueInstant.adding(seconds: -3600)) }
            add(max(dueAt, clockStarted), .due, 0, owners)
        }
        add(overdueAt, .overdue, 0, owners)
        // Escalations, counted from the deadline.
        for (n, e) in rule.escalate.enumerated() {
            var at: Instant?
            if c.isExact, e.after.unit == .hours {
                at = c.dueInstant.adding(seconds: e.after.amount * 3600)
            } else if c.isExact, case .dateTime(_, let i)? = try? calc.add(e.after, to: duePoint) {
                at = i
            } else if let date = try? calc.addToDate(e.after, c.dueDate) {
                at = morning(workingOnOrAfter(e.after.amount == 0 ? date.adding(days: 1) : date))
            }
            if let at { add(max(at, overdueAt), .escalation, n + 1, e.roles + [rule.owner]) }
        }
    }

    /// The longest an offset can span, in seconds.
    static func upperBound(_ o: Offset) -> Int {
        let n = abs(o.amount)
        switch o.unit {
        case .hours: return n * 3600
        case .days: return n * 86_400 + 3600
        case .weeks: return n * 7 * 86_400 + 3600
        case .months: return n * 31 * 86_400 + 3600
        case .workingDays: return (n * 7 / 5 + 14) * 86_400
        }
    }
}
