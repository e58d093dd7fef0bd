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
    public let state: State
    private let storedRuleIndex: Int32
    private let storedCycle: Int32
    public let ruleName: RuleName
    /// The deadline cannot be computed only because its anchor event has not happened yet (as opposed to
    /// contradictory anchors, which need someone to act).
    public var awaitsAnchor: Bool = false

    init(ruleIndex: Int, ruleName: RuleName, cycle: Int, state: State) {
        self.state = state
        storedRuleIndex = Int32(ruleIndex)
        storedCycle = Int32(cycle)
        self.ruleName = ruleName
    }

    /// Index of the rule in `RuleSet.rules`.
    public var ruleIndex: Int { Int(storedRuleIndex) }
    /// The rule's id.
    public var ruleID: String { ruleName.id }
    /// 1 for the first deadline of a rule's cycle, 2 for the next, ...
    public var cycle: Int { Int(storedCycle) }

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

    /// A deadline with a date. Laid out in 96 bytes (narrow fields, flags in one word, no optional tags
    /// where a sentinel will do): the engine reads millions, and a value over 128 bytes is copied by a
    /// call to `memmove` rather than a few moves.
    public struct Computed: Sendable {
        /// The event the clock runs from (for a repeat, the event that met the previous deadline).
        public let anchor: EventRef
        /// The event that met it, if any (it may be future-dated).
        public let met: EventRef?
        /// The event that made it unnecessary, ended its cycle or closed its period, if any.
        public let moot: EventRef?
        /// The last extension that moved it, if any.
        public let lastExtension: EventRef?
        /// The moment the deadline is missed (the end of the due day for day deadlines).
        public let dueInstant: Instant
        /// The local due date.
        public let dueDate: LocalDate
        private let earliestSeconds: Int
        private let offsetAmount: Int32
        private let offsetUnit: OffsetUnit
        /// Bit 0: exact; bits 1-2: kind; bits 3-15: extensions (saturating).
        private let flags: UInt16

        private static let noEarliest = Int.min
        private static let maxExtensions = Int(UInt16.max >> 3)

        public init(
            anchor: EventRef, offset: Offset, dueInstant: Instant, dueDate: LocalDate, isExact: Bool, met: EventRef?, moot: EventRef?,
            kind: TimescaleKind = .by, earliest: Instant? = nil, extensions: Int = 0, lastExtension: EventRef? = nil
        ) {
            self.anchor = anchor
            self.met = met
            self.moot = moot
            self.lastExtension = lastExtension
            self.dueInstant = dueInstant
            self.dueDate = dueDate
            earliestSeconds = earliest?.seconds ?? Computed.noEarliest
            offsetAmount = Int32(clamping: offset.amount)
            offsetUnit = offset.unit
            let k: UInt16
            switch kind {
            case .by: k = 0
            case .notBefore: k = 1
            case .window: k = 2
            }
            flags = (isExact ? 1 : 0) | k << 1 | UInt16(min(max(extensions, 0), Computed.maxExtensions)) << 3
        }

        /// The offset applied to the anchor.
        public var offset: Offset { Offset(Int(offsetAmount), offsetUnit) }
        /// The deadline is an exact time of day (hours, or a due-time), not a whole day.
        public var isExact: Bool { flags & 1 != 0 }
        /// A "by" deadline, an earliest date, or both.
        public var kind: TimescaleKind {
            switch flags >> 1 & 3 {
            case 1: return .notBefore
            case 2: return .window
            default: return .by
            }
        }
        /// For "not before" and windows: the first moment the step may be taken.
        public var earliest: Instant? { earliestSeconds == Computed.noEarliest ? nil : Instant(seconds: earliestSeconds) }
        /// How many extensions moved it.
        public var extensions: Int { Int(flags >> 3) }
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

extension Deadline.Computed {
    /// How many times the deadline was extended, in words: `once`, `2 times`.
    public var extensionsInWords: String { extensions == 1 ? "once" : "\(extensions) times" }
}
