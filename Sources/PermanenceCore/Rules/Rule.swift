import TOML

/// One timescale from a procedure or regulation, as an admin writes it in a rule pack.
///
/// A rule says when a deadline falls (an offset from an anchor event), what meets it, what makes it
/// moot, whether it repeats, and who hears about it before and after it is due.
public struct Rule: Sendable {
    /// Stable identifier, unique across all packs (`post-placement-visit`).
    public var id: String
    /// What a worker reads (`Visit the child within 72 hours of placement`).
    public var title: String
    /// What to do to meet it, for reminders.
    public var action: String?
    /// The pack (procedure) the rule belongs to.
    public var pack: String
    /// The document and section the timescale comes from.
    public var source: String
    /// Rows of the source table this rule implements (for coverage checks).
    public var covers: [String]
    /// Plans the rule applies to; empty for every plan.
    public var plans: [String]
    /// Calendars (or nations) the rule applies to; empty for every calendar.
    public var calendars: [String]
    /// Which working days its `wd` offsets count: the statutory definition, or the authority's calendar.
    public var workingDays: WorkingDays
    /// The period each of its deadlines belongs to (a period kind of the vocabulary: `episode`, `placement`,
    /// `proceedings`); nil for the whole case. A scoped rule starts again in each period, counts only the
    /// events inside it, and closes when the period ends: no longer needed if it was not yet due, a breach
    /// that stays one if it was.
    public var scope: String?
    /// Only periods whose starting event counts as one of these kinds (placement types); empty for all.
    public var scopeTypes: [String]
    /// Not periods whose starting event counts as one of these kinds (placements with their own rules).
    public var scopeExcept: [String]
    /// Periods during which the rule does not apply (CPPCR reviews while placed for adoption, reg 3): a
    /// deadline still open when one starts is no longer owed (or stays missed), and the rule starts again,
    /// from its first interval, on the day one ends.
    public var suspendedIn: [String]
    /// A deadline ("by"), an earliest date ("not before"), or both (a window).
    public var kind: TimescaleKind
    /// For "not before" and windows: the earliest the step may be taken, from the same anchor.
    public var earliest: Offset?
    /// An event that extends the deadline (a court's extension of the 26-week timetable, s32(5)).
    public var extend: Extension?
    /// Event kinds that start the clock; the first listed kind that occurs is used (for a scoped rule
    /// without one: the event that started the period).
    public var anchor: [String]
    /// Anchor events that count as one of these kinds start nothing (every review but the early one).
    public var anchorExcept: [String] = []
    /// The rule applies only where one of these events is recorded in its span (a PACE test-of-change case).
    public var onlyIf: [String] = []
    /// Meeting events count from the start of the period, not only after the anchor (`met-from =
    /// "period-start"`): a care plan prepared before the first placement meets "before the placement or
    /// within 10 working days of it".
    public var metFromPeriodStart = false
    /// `met-from = "before-period"`: also a meeting event from before the period, since the previous period of
    /// the scope ended (a care plan prepared for a series of short breaks before its first stay).
    public var metFromBeforePeriod = false
    /// A `moot-if` event before the anchor also makes the deadline unnecessary ("only if no adopters have
    /// been identified": adopters found before the placement order).
    public var mootIfBeforeAnchor = false
    /// After a suspension: start again from its end (`restart`, the default) or go on from the last time the
    /// rule was met, with the next interval (`continue`: reviews 6 months after the previous one).
    public var resumeContinues = false
    /// Which occurrence of the anchor counts.
    public var anchorOccurrence: AnchorOccurrence
    /// Offset from the anchor: positive after it, negative before a future-dated anchor.
    public var due: Offset
    /// When on the due day the deadline falls.
    public var dueTime: DueTime
    /// Event kinds that meet the deadline.
    public var metBy: [String]
    /// The deadline is met by the nth meeting event after the anchor (usually 1).
    public var metByNth: Int
    /// Event kinds that make the deadline unnecessary (a condition such as "only if no application lodged").
    public var mootIf: [String]
    /// Repetition after the deadline is met.
    public var recurrence: Recurrence?
    /// Lead times before the deadline at which the owner is reminded.
    public var remind: [Offset]
    /// Who is told as the deadline slips further.
    public var escalate: [Escalation]
    /// The role responsible for meeting the deadline.
    public var owner: String
    /// Roles copied on reminders and due notices.
    public var copy: [String]
    public var severity: Severity
    /// Where the rule was written, for messages.
    public var file: String
    public var line: Int
    /// Line of each key of the rule in its file, for messages about cross-references.
    public var keyLines: [String: Int] = [:]
    /// For each change of interval (`recurrence.changes`), the key its `when` is reported under
    /// (`repeat.later[2].when`); its line is in `keyLines`.
    public var changeKeys: [String] = []
    /// Each key as written (in the rule's table, or by an override that set it), for `check-config --show-rule`.
    public var written: [String: TOMLValue] = [:]
    /// False when an override switched the rule off (`enabled = false`).
    public var enabled = true
    /// Keys an override changed, with where (`[override.ID]` in another file).
    public var overriddenAt: [String: SourceLocation] = [:]

    /// Where the effective value of `key` was written: the override that set it, else the rule's own line
    /// for it (the rule's table when the key was not written and has its default).
    public func origin(_ key: String) -> SourceLocation {
        overriddenAt[key] ?? SourceLocation(file: file, line: keyLines[key] ?? line)
    }

    public init(
        id: String, title: String, action: String? = nil, pack: String, source: String, covers: [String] = [],
        plans: [String] = [], calendars: [String] = [], workingDays: WorkingDays = .local, scope: String? = nil,
        scopeTypes: [String] = [], scopeExcept: [String] = [], suspendedIn: [String] = [], kind: TimescaleKind = .by, earliest: Offset? = nil,
        extend: Extension? = nil, anchor: [String],
        anchorOccurrence: AnchorOccurrence = .only, due: Offset, dueTime: DueTime? = nil, metBy: [String],
        metByNth: Int = 1, mootIf: [String] = [], recurrence: Recurrence? = nil, remind: [Offset] = [],
        escalate: [Escalation] = [], owner: String, copy: [String] = [], severity: Severity = .routine,
        file: String = "", line: Int = 0
    ) {
        self.id = id
        self.title = title
        self.action = action
        self.pack = pack
        self.source = source
        self.covers = covers
        self.plans = plans
        self.calendars = calendars
        self.workingDays = workingDays
        self.scope = scope
        self.scopeTypes = scopeTypes
        self.scopeExcept = scopeExcept
        self.suspendedIn = suspendedIn
        self.kind = kind
        self.earliest = earliest
        self.extend = extend
        self.anchor = anchor
        self.anchorOccurrence = anchorOccurrence
        self.due = due
        self.dueTime = dueTime ?? (due.unit == .hours ? .exact : .endOfDay)
        self.metBy = metBy
        self.metByNth = metByNth
        self.mootIf = mootIf
        self.recurrence = recurrence
        self.remind = remind
        self.escalate = escalate
        self.owner = owner
        self.copy = copy
        self.severity = severity
        self.file = file
        self.line = line
    }
}

/// What kind of timescale a rule is.
public enum TimescaleKind: String, Sendable {
    /// Done by a date: late is a breach.
    case by
    /// Not before a date (an adoption application, s42(2) Adoption and Children Act 2002): too early is a
    /// finding, never "met"; there is nothing to remind anyone of.
    case notBefore = "not-before"
    /// Not before one date and by another.
    case window
}

/// An event that pushes a deadline back (`extend = { on = "timetable-extended", by = "8w" }`): each one
/// recorded before the deadline is met moves it to `by` after the later of the current due day and the
/// day of the extension.
public struct Extension: Sendable, Equatable {
    public var on: [String]
    public var by: Offset
    /// How many extensions the law allows (CPPCR reg 25: once); nil for no limit.
    public var times: Int?
    /// An extension recorded after the deadline passed still counts (a court may extend late).
    public var afterDue: Bool

    public init(on: [String], by: Offset, times: Int? = nil, afterDue: Bool = true) {
        self.on = on
        self.by = by
        self.times = times
        self.afterDue = afterDue
    }
}

/// Which recorded anchor event starts the clock.
public enum AnchorOccurrence: String, Sendable, CaseIterable {
    /// The event happens once; two different ones are contradictory and the deadline cannot be computed.
    case only
    /// The earliest one.
    case first
    /// The latest one (a hearing that is re-listed, family finding that restarts).
    case latest
    /// Every one: a deadline per anchor event (minutes after each review).
    case each
}

/// When on its due day a deadline falls.
public enum DueTime: Sendable, Equatable, CustomStringConvertible {
    /// The end of the local due day (the default for d, w, mo and wd offsets).
    case endOfDay
    /// The exact instant (the default for h offsets).
    case exact
    /// A fixed local time on the due day.
    case at(secondOfDay: Int)

    public var description: String {
        switch self {
        case .endOfDay: return "end-of-day"
        case .exact: return "exact"
        case .at(let s): return "\(pad(s / 3600, 2)):\(pad(s / 60 % 60, 2))"
        }
    }
}

/// How a rule repeats after each deadline is met: the next one is counted from the day it was met.
public struct Recurrence: Sendable, Equatable {
    /// Intervals after each met deadline; the last one repeats (`3mo`, then `6mo` for ever).
    public var every: [Offset]
    /// Events that end the cycle; an open deadline when one happens becomes moot.
    public var until: [String]
    /// Changes of interval (`later`), in order: of those that hold, the last gives the interval. Weekly visits
    /// until the first review, then 4-weekly; 6-weekly once the connected person is approved as a foster
    /// parent (CPPCR reg 28(4), then 28(2)).
    public var changes: [IntervalChange]
    /// `later-choice = "latest-event"`: the change whose event was recorded last, on or before the day the
    /// clock for a deadline starts (the anchor, or the meeting before), gives its interval, whatever its place
    /// in the list; without one, the rule's own intervals (a review frequency agreed, then agreed again: LAC
    /// (Scotland) Regulations 2009 reg 44(5)). One recorded while a deadline runs may bring that deadline
    /// forward, never put it back.
    public var latestEventWins: Bool

    public init(every: [Offset], until: [String] = [], changes: [IntervalChange] = [], latestEventWins: Bool = false) {
        self.every = every
        self.until = until
        self.changes = changes
        self.latestEventWins = latestEventWins
    }
}

/// A different repeat interval once this long has passed since the anchor (`after`), once one of some
/// events has happened in the period (`when`), or once both hold.
public struct IntervalChange: Sendable, Equatable {
    /// Checked at the day the previous deadline was met: `12mo` then every `3mo`.
    public var after: Offset?
    /// Any of these events: the change holds from the first of them in the period, and already for the next
    /// deadline if it happens before that would fall (the first review ends weekly visits).
    public var when: [String]
    /// The interval while it holds.
    public var every: Offset

    public init(after: Offset? = nil, when: [String] = [], every: Offset) {
        self.after = after
        self.when = when
        self.every = every
    }
}

/// One rung of an escalation ladder: once overdue by `after`, tell these roles.
public struct Escalation: Sendable, Equatable {
    public var after: Offset
    public var roles: [String]

    public init(after: Offset, roles: [String]) {
        self.after = after
        self.roles = roles
    }
}

/// How much a missed deadline matters; drives journal priority and immediate email.
public enum Severity: String, Sendable, CaseIterable, Comparable {
    case routine
    case important
    case urgent

    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Which days count as working days for a rule's `wd` offsets.
public enum WorkingDays: String, Sendable, CaseIterable {
    /// As regulations define them: not a Saturday, Sunday, Christmas Day, Good Friday or bank holiday in the
    /// case's nation (CPPCR 2010 reg 2(1) and its Welsh and Scottish counterparts). The authority's closures
    /// do not count: a council cannot extend a statutory timescale by closing its offices.
    case statutory
    /// The case's calendar as the authority configured it, closures included: for local procedures.
    case local

    /// How `explain` names it.
    public var description: String {
        switch self {
        case .statutory: return "statutory working days (weekends and bank holidays only; council closures do not count)"
        case .local: return "working days of the council's calendar (its closures count)"
        }
    }
}
