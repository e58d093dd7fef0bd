/// Where a deadline stands at a given moment.
public enum DeadlineStatus: String, Sendable, CaseIterable {
    case upcoming
    /// Falls due today (local day).
    case due
    case overdue
    case metOnTime = "met-on-time"
    case metLate = "met-late"
    /// Missed, and then closed (its period ended, or the step stopped being needed, after the deadline had
    /// passed): a breach stays a breach, but nobody is chased about it any more.
    case missed
    /// No longer needed: what it was for ended, or the condition that made it unnecessary happened, before
    /// it fell due.
    case notNeeded = "not-needed"
    /// A "not before" step taken before its earliest date: a finding for someone to look at.
    case tooEarly = "too-early"
    /// A "not before" step whose earliest date has not come.
    case notYet = "not-yet"
    /// A "not before" step that may now be taken (nothing is overdue: there is no latest date).
    case permitted
    /// The stage has not started: the event that starts the clock has not happened (or been recorded) yet.
    /// Nothing is wrong and nobody needs to act.
    case waiting
    /// Something in the record stops the date being worked out (contradictory events, a date the calendars
    /// do not cover); the reason says what, and someone should look.
    case cannotCompute = "cannot-compute"

    /// `met on time`, for sentences and tables.
    public var label: String { String(rawValue.map { $0 == "-" ? " " : $0 }) }

    /// Still needs doing.
    public var isOpen: Bool { self == .upcoming || self == .due || self == .overdue }

    /// How a person reads it in `explain` and the agenda.
    public var words: String {
        switch self {
        case .upcoming: return "upcoming"
        case .due: return "due today"
        case .overdue: return "overdue"
        case .metOnTime: return "done on time"
        case .metLate: return "done late"
        case .missed: return "missed"
        case .notNeeded: return "no longer needed"
        case .tooEarly: return "done too early"
        case .notYet: return "not yet allowed"
        case .permitted: return "allowed now"
        case .waiting: return "not started"
        case .cannotCompute: return "cannot be worked out"
        }
    }
}

/// One deadline of one rule for one case: computed, or the reason it cannot be.
///
/// Plain data, with no string or reference in it: the engine makes millions of these, and a copy or a
/// destroy of a value with none is a move of memory, not a walk over fields taking reference counts.
/// Rule ids are numbers (`RuleName`) and reasons are kept on the `CaseEvaluation` (`reason(_:)`).
public struct Deadline: Sendable {
    /// Index of the rule in `RuleSet.rules`.
    public let ruleIndex: Int
    public let ruleName: RuleName
    /// The rule's id.
    public var ruleID: String { ruleName.id }
    /// 1 for the first deadline of a rule's cycle, 2 for the next, ...
    public let cycle: Int
    public let state: State
    /// The deadline cannot be computed only because its anchor event has not happened yet (as opposed to
    /// contradictory anchors, which need someone to act).
    public var awaitsAnchor: Bool = false

    public enum State: Sendable {
        case computed(Computed)
        case cannotCompute(reason: Reason)
    }

    /// Why a deadline cannot be computed: read with `CaseEvaluation.reason(_:)`.
    public struct Reason: Sendable, Equatable {
        /// 0 and up: `CaseEvaluation.reasons`; below 0: the rule's own "no anchor recorded" reason, for the
        /// rule `-1 - value` (waiting deadlines are many, and all of a rule's say the same).
        let value: Int32

        init(reasonIndex: Int) { value = Int32(reasonIndex) }
        init(missingAnchorOfRule rule: Int) { value = -1 - Int32(rule) }
    }

    /// An event that bears on a deadline; `position` indexes `CaseEvaluation.events` (for its id, kind and
    /// note: `CaseEvaluation.event(_:)`). No strings here: a deadline is copied often, and sixteen bytes
    /// with nothing to retain copy fastest.
    public struct EventRef: Sendable, Equatable {
        private let storedPosition: Int32
        public let dateOnly: Bool
        public let at: Instant
        public var position: Int { Int(storedPosition) }

        public init(position: Int, at: Instant, dateOnly: Bool) {
            storedPosition = Int32(position)
            self.at = at
            self.dateOnly = dateOnly
        }
    }

    /// A deadline with a date.
    public struct Computed: Sendable {
        /// The event the clock runs from (for a repeat, the event that met the previous deadline).
        public let anchor: EventRef
        /// The offset applied to the anchor.
        public let offset: Offset
        /// The moment the deadline is missed (the end of the due day for day deadlines).
        public let dueInstant: Instant
        /// The local due date.
        public let dueDate: LocalDate
        /// The deadline is an exact time of day (hours, or a due-time), not a whole day.
        public let isExact: Bool
        /// The event that met it, if any (it may be future-dated).
        public let met: EventRef?
        /// The event that made it unnecessary, ended its cycle or closed its period, if any.
        public let moot: EventRef?
        /// A "by" deadline, an earliest date, or both.
        public var kind: TimescaleKind = .by
        /// For "not before" and windows: the first moment the step may be taken.
        public var earliest: Instant?
        /// How many extensions moved it, and the last of them (no array: a deadline is copied often, and
        /// almost none is extended).
        public var extensions: Int = 0
        public var lastExtension: EventRef?
    }

    /// The computed deadline, if there is one.
    public var computed: Computed? {
        if case .computed(let c) = state { return c }
        return nil
    }

    /// The status at `now`. Events dated after `now` have not happened yet and do not count.
    public func status(at now: Instant, zone: ZoneRules) -> DeadlineStatus {
        guard case .computed(let c) = state else { return awaitsAnchor ? .waiting : .cannotCompute }
        if c.kind == .notBefore {
            if let met = c.met, met.at <= now { return met.at < (c.earliest ?? c.dueInstant) ? .tooEarly : .metOnTime }
            if let moot = c.moot, moot.at <= now { return .notNeeded }
            return now < (c.earliest ?? c.dueInstant) ? .notYet : .permitted
        }
        if let met = c.met, met.at <= now {
            if let e = c.earliest, met.at < e { return .tooEarly }
            return met.at < c.dueInstant ? .metOnTime : .metLate
        }
        // Closed after it was missed: still a breach.
        if let moot = c.moot, moot.at <= now { return moot.at >= c.dueInstant ? .missed : .notNeeded }
        if now >= c.dueInstant { return .overdue }
        if zone.localDate(at: now) >= c.dueDate { return .due }
        return .upcoming
    }

}

/// Everything the engine worked out for one case.
public struct CaseEvaluation: Sendable {
    public let caseRecord: ChildCase
    /// Events that count, in time order.
    public let events: [CaseEvent]
    /// Events that do not count, each with the reason (withdrawn, superseded by another).
    public let ignoredEvents: [(event: CaseEvent, reason: String)]
    public let deadlines: [Deadline]
    /// The reasons of deadlines that cannot be computed (see `Deadline.Reason`).
    let reasons: [String]
    /// Each rule's reason while its anchor is not recorded, by rule index (shared with the rule set).
    let missingAnchorReasons: [String]

    init(caseRecord: ChildCase, events: [CaseEvent], ignoredEvents: [(event: CaseEvent, reason: String)], deadlines: [Deadline],
         reasons: [String], missingAnchorReasons: [String]) {
        self.caseRecord = caseRecord
        self.events = events
        self.ignoredEvents = ignoredEvents
        self.deadlines = deadlines
        self.reasons = reasons
        self.missingAnchorReasons = missingAnchorReasons
    }

    /// The words of a reason a deadline cannot be computed.
    public func reason(_ r: Deadline.Reason) -> String {
        r.value >= 0 ? reasons[Int(r.value)] : missingAnchorReasons[Int(-1 - r.value)]
    }

    /// Why `d` cannot be computed, or nil if it has a date.
    public func reason(of d: Deadline) -> String? {
        if case .cannotCompute(let r) = d.state { return reason(r) }
        return nil
    }

    /// The event a deadline refers to.
    public func event(_ ref: Deadline.EventRef) -> CaseEvent { events[ref.position] }

    /// The id of the event a deadline refers to.
    public func id(_ ref: Deadline.EventRef) -> String { events[ref.position].id }

    /// A stable key for a deadline: case, rule, anchor event and cycle.
    public func key(_ d: Deadline) -> String {
        switch d.state {
        case .computed(let c): return "\(caseRecord.reference)/\(d.ruleID)/\(id(c.anchor))#\(d.cycle)"
        case .cannotCompute: return "\(caseRecord.reference)/\(d.ruleID)/-"
        }
    }
}
