import PermanenceCore

/// A manager's weekly picture of their team (or a service manager's of their service): who is behind, what
/// falls due this week, which escalations are still open, what changed since the last report, and which
/// children have waited longest. Built from plain facts (the store's, the scorecard's) by `build`; rendered
/// by `MailComposer.composeTeamReport`. Pure.
public struct TeamReport: Sendable {
    /// One worker's line.
    public struct WorkerLine: Sendable, Equatable {
        public var id: String
        public var name: String
        public var overdue = 0
        public var dueThisWeek = 0
        public var escalationsOpen = 0
        /// "Away 7 Dec – 11 Dec; deputy Sam Patel", when an absence touches the coming week.
        public var away: String?
    }

    /// A deadline that changed since the last report.
    public struct Change: Sendable, Equatable {
        public var caseRef: String
        public var initials: String?
        public var title: String
        public var owner: String
        /// When it fell due, or was met.
        public var when: String
    }

    /// A case opened since the last report.
    public struct NewCase: Sendable, Equatable {
        public var caseRef: String
        public var initials: String?
        public var plan: String
        public var worker: String
        public var opened: String
    }

    /// A child who has waited: days since entering care (and since the placement order, not yet matched),
    /// against the scorecard's thresholds for a child on an adoption plan.
    public struct Waiting: Sendable, Equatable {
        public var caseRef: String
        public var initials: String?
        public var plan: String
        public var worker: String
        public var daysInCare: Int
        public var daysSinceOrder: Int?
        /// On an adoption plan, not yet placed, and longer in care than the A1 threshold.
        public var overA1 = false
        /// Placement order made, not yet matched, for longer than the A2 threshold.
        public var overA2 = false
    }

    /// A team within a service report.
    public struct TeamLine: Sendable, Equatable {
        public var manager: String
        public var overdue: Int
        public var dueThisWeek: Int
        public var escalationsOpen: Int
    }

    public enum Scope: String, Sendable {
        /// A team manager's direct reports.
        case team
        /// Everyone under a service manager, team by team.
        case service
    }

    public var scope: Scope
    public var since: Instant
    public var now: Instant
    public var workers: [WorkerLine]
    public var teams: [TeamLine] = []
    public var newlyOverdue: [Change] = []
    public var metOnTime: [Change] = []
    public var metLate: [Change] = []
    public var newCases: [NewCase] = []
    public var waiting: [Waiting] = []
    /// The thresholds the waiting children were held against, in days (A1, A2).
    public var thresholds: (a1: String, a2: String)

    /// Children listed as waiting longest, at most.
    public static let waitingShown = 10

    /// Everything a report is built from.
    public struct Inputs: Sendable {
        public var scope: Scope
        /// The workers listed, with their names, in order.
        public var workers: [(id: String, name: String)]
        /// For a service report: each worker's team manager (id → manager's name).
        public var teamOf: [String: String] = [:]
        public var facts: TeamFacts
        /// Absences touching the coming week, with the deputy's name.
        public var absences: [(worker: String, from: LocalDate, to: LocalDate, deputy: String?)] = []
        /// Rule titles by id.
        public var titles: [String: String]
        /// Plan titles by name.
        public var plans: [String: String]
        /// Worker names by id (owners, case workers).
        public var names: [String: String]
        /// The scorecard's dates for each of the team's cases (nil: no period of care in the record).
        public var scorecard: [String: AdoptionScorecard.Figures] = [:]
        public var thresholds = AdoptionScorecard.Thresholds()

        public init(scope: Scope, workers: [(id: String, name: String)], facts: TeamFacts, titles: [String: String],
                    plans: [String: String], names: [String: String]) {
            self.scope = scope
            self.workers = workers
            self.facts = facts
            self.titles = titles
            self.plans = plans
            self.names = names
        }
    }

    /// The end of the coming week: the same local time seven days on (across a change of the clocks too).
    public static func weekEnd(after now: Instant, zone: ZoneRules) -> Instant {
        let l = zone.localDateTime(at: now)
        return zone.instant(LocalDateTime(date: l.date.adding(days: 7), secondOfDay: l.secondOfDay))
    }

    /// Works the report out.
    public static func build(_ input: Inputs, zone: ZoneRules) -> TeamReport {
        let f = input.facts
        let now = f.now
        let week = weekEnd(after: now, zone: zone)
        let initials = Dictionary(f.cases.map { ($0.ref, $0.initials) }, uniquingKeysWith: { a, _ in a })
        func name(_ id: String) -> String { input.names[id] ?? id }
        func title(_ id: String) -> String { input.titles[id] ?? id }
        func day(_ i: Instant) -> String { MailDates.human(i, exact: false, zone: zone) }

        var lines = input.workers.map { WorkerLine(id: $0.id, name: $0.name) }
        let index = Dictionary(lines.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { a, _ in a })
        var newlyOverdue: [Change] = []
        for d in f.open {
            guard let i = index[d.owner] else { continue }
            if d.dueAt <= now {
                lines[i].overdue += 1
                if f.escalated.contains("\(d.caseRef)|\(d.ruleID)|\(d.dueAt.seconds)") { lines[i].escalationsOpen += 1 }
                if d.dueAt > f.since {
                    newlyOverdue.append(Change(caseRef: d.caseRef, initials: initials[d.caseRef] ?? nil, title: title(d.ruleID), owner: name(d.owner),
                                               when: MailDates.day(zone.dueDay(of: d.dueAt, exact: d.exact))))
                }
            } else if d.dueAt <= week {
                lines[i].dueThisWeek += 1
            }
        }
        let today = zone.localDate(at: now)
        let lastDay = zone.localDate(at: week)
        for a in input.absences where a.to >= today && a.from <= lastDay {
            guard let i = index[a.worker] else { continue }
            let span = a.from == a.to ? "on \(MailDates.day(a.from))" : "\(MailDates.day(a.from)) – \(MailDates.day(a.to))"
            lines[i].away = "Away \(span)" + (a.deputy.map { "; deputy \($0)" } ?? "; their manager covers")
        }
        var report = TeamReport(scope: input.scope, since: f.since, now: now, workers: lines,
                                thresholds: (input.thresholds.a1.phrase, input.thresholds.a2.phrase))
        report.newlyOverdue = newlyOverdue
        for d in f.met {
            guard let met = d.metAt, index[d.owner] != nil else { continue }
            let c = Change(caseRef: d.caseRef, initials: initials[d.caseRef] ?? nil, title: title(d.ruleID), owner: name(d.owner), when: day(met))
            if met <= d.dueAt { report.metOnTime.append(c) } else { report.metLate.append(c) }
        }
        report.newCases = f.cases.filter { c in c.openedAt.map { $0 > f.since && $0 <= now } ?? false }
            .sorted { ($0.openedAt!, $0.ref) < ($1.openedAt!, $1.ref) }
            .map { NewCase(caseRef: $0.ref, initials: $0.initials, plan: input.plans[$0.plan] ?? $0.plan, worker: name($0.worker), opened: day($0.openedAt!)) }
        var waiting: [Waiting] = []
        for c in f.cases {
            guard let s = input.scorecard[c.ref], let entered = s.enteredCare, s.movedIn == nil, s.adopted == nil, entered <= today else { continue }
            var w = Waiting(caseRef: c.ref, initials: c.initials, plan: input.plans[c.plan] ?? c.plan, worker: name(c.worker),
                            daysInCare: today.dayNumber - entered.dayNumber)
            let adoption = c.plan == "adoption"
            if adoption { w.overA1 = today >= AdoptionScorecard.adding(input.thresholds.a1, to: entered) }
            if let order = s.authorityToPlace, s.match == nil, order <= today {
                w.daysSinceOrder = today.dayNumber - order.dayNumber
                w.overA2 = today >= AdoptionScorecard.adding(input.thresholds.a2, to: order)
            }
            waiting.append(w)
        }
        report.waiting = Array(waiting.sorted { ($1.daysInCare, $0.caseRef) < ($0.daysInCare, $1.caseRef) }.prefix(waitingShown))
        if input.scope == .service {
            var teams: [String: TeamLine] = [:]
            for l in report.workers {
                let m = input.teamOf[l.id] ?? "No team manager"
                teams[m, default: TeamLine(manager: m, overdue: 0, dueThisWeek: 0, escalationsOpen: 0)].overdue += l.overdue
                teams[m]!.dueThisWeek += l.dueThisWeek
                teams[m]!.escalationsOpen += l.escalationsOpen
            }
            report.teams = teams.values.sorted { ($1.overdue, $0.manager) < ($0.overdue, $1.manager) }
        }
        return report
    }

    public var overdue: Int { workers.reduce(0) { $0 + $1.overdue } }
    public var dueThisWeek: Int { workers.reduce(0) { $0 + $1.dueThisWeek } }
    public var escalationsOpen: Int { workers.reduce(0) { $0 + $1.escalationsOpen } }
}
