/// The DfE adoption scorecard's timeliness measures for one child, worked out from the case model (the period
/// of care, the placement order, the match, the placement for adoption and the adoption order), whether the
/// events came from the 903 or were recorded by hand. Pure: `docs/scorecard.md` says how each is computed.
///
/// - A1: days from entering care (the start of the period of care in which the child was adopted, or the one
///   open) to moving in with the adoptive family (the placement for adoption with the family that adopted: the
///   last one of that period, an earlier disrupted one not counted).
/// - A10: A1 adjusted for foster carer adoptions: counted to the start of the foster placement with the carers
///   who adopt.
/// - A2: days from court authority to place (the placement order, or consent under s19, in force at the match)
///   to the match decision (the last match before the move); a match before the authority counts as 0.
/// - A3: whether the child moved in less than the A3 threshold (14 months) after entering care.
public struct AdoptionScorecard: Sendable {
    /// The thresholds in force (`[scorecard]` in the configuration).
    public struct Thresholds: Sendable, Equatable {
        /// A1 and A10: 14 months, 426 days.
        public var a1 = Offset(426, .days)
        /// A2: 4 months, 121 days.
        public var a2 = Offset(121, .days)
        /// A3: moved in less than this after entering care.
        public var a3 = Offset(14, .months)

        public init() {}
    }

    /// One child's dates and figures (nil where a date is not in the record).
    public struct Figures: Sendable, Equatable {
        /// The start of the period of care; nil when the period began before the data (`startNotKnown`).
        public var enteredCare: LocalDate?
        public var startNotKnown = false
        public var movedIn: LocalDate?
        /// The adopters are the child's foster carers (903 PLACE A3 or A5, AD1 FOSTER_CARE, or recorded).
        public var fosterCarerAdoption = false
        /// The start of the foster placement with the carers who adopt (for A10).
        public var movedInWithCarers: LocalDate?
        public var authorityToPlace: LocalDate?
        public var match: LocalDate?
        public var adopted: LocalDate?

        public init() {}

        /// The day A10 counts to: the start of the foster placement with the carers for a foster carer
        /// adoption, else the move-in.
        public var a10MovedIn: LocalDate? { fosterCarerAdoption ? (movedInWithCarers ?? movedIn) : movedIn }
        public var a1Days: Int? { days(enteredCare, movedIn) }
        public var a10Days: Int? { days(enteredCare, a10MovedIn) }
        /// A match before the authority to place counts as 0.
        public var a2Days: Int? { days(authorityToPlace, match).map { max(0, $0) } }

        /// Whether the child moved in less than the A3 threshold after entering care.
        public func a3Under(_ t: Thresholds) -> Bool? {
            guard let e = enteredCare, let m = movedIn else { return nil }
            return m < AdoptionScorecard.adding(t.a3, to: e)
        }

        private func days(_ from: LocalDate?, _ to: LocalDate?) -> Int? {
            guard let from, let to else { return nil }
            return to.dayNumber - from.dayNumber
        }
    }

    /// A date plus a threshold (days, weeks or calendar months, clamped to the month's end).
    public static func adding(_ o: Offset, to d: LocalDate) -> LocalDate {
        switch o.unit {
        case .months: return d.adding(months: o.amount).date
        case .weeks: return d.adding(days: 7 * o.amount)
        default: return d.adding(days: o.amount)
        }
    }

    /// The events that put a child whose plan is not recorded (a 903 import) on the adoption path.
    static let adoptionSteps = ["placement-order", "placement-consent", "best-interest-decision", "match-agreed", "placed-for-adoption", "adoption-order"]

    /// Whether the scorecard concerns the case: its plan is adoption, or no plan is recorded and the record has
    /// a step of the adoption path (a decision, an order, a match, a placement for adoption, an adoption).
    public static func applies(to evaluation: CaseEvaluation, ruleSet: RuleSet) -> Bool {
        let plan = evaluation.caseRecord.plan
        if plan == "adoption" { return true }
        guard plan.isEmpty else { return false }
        let steps = Set(adoptionSteps)
        return evaluation.events.contains { e in
            steps.contains(e.kind) || ruleSet.vocabulary.event(e.kind)?.countsAs.contains(where: steps.contains) == true
        }
    }

    /// The figures of an evaluated case's period of care in which the child was adopted, or, if not adopted,
    /// of its latest period of care; nil when the record has no period of care.
    public static func figures(_ evaluation: CaseEvaluation, ruleSet: RuleSet) -> Figures? {
        figures(counting: evaluation.events, ruleSet: ruleSet)
    }

    /// The figures of a case's history as stored (withdrawn and corrected events set aside first); `evaluator`
    /// one of the rule set's own, for many cases in a row.
    public static func figures(of events: [CaseEvent], ruleSet: RuleSet, evaluator: Evaluator? = nil) -> Figures? {
        figures(counting: (evaluator ?? Evaluator(ruleSet: ruleSet)).resolve(events).0, ruleSet: ruleSet)
    }

    private static func figures(counting events: [CaseEvent], ruleSet: RuleSet) -> Figures? {
        guard !events.isEmpty, let episodeKind = ruleSet.periods.firstIndex(where: { $0.name == "episode" }) else { return nil }
        let index = CaseIndex(events: events, kinds: ruleSet.kindTable, expansions: ruleSet.expansions)
        // The periods' lists live in the index's memory: it stays until they are read.
        defer { withExtendedLifetime(index) {} }
        var periods = CasePeriods(index: index, kinds: ruleSet.periods, zone: ruleSet.zone)
        func kinds(_ names: String...) -> [Int] { names.compactMap(ruleSet.eventKind) }
        let adoptionOrder = kinds("adoption-order")
        let episodes = periods.instances(episodeKind)
        guard let period = episodes.last(where: { e in e.end.map { index.counts($0, asAnyOf: adoptionOrder) } ?? false }) ?? episodes.last
        else { return nil }
        let lower = period.start, upper = period.end ?? Int32(events.count - 1)
        let zone = ruleSet.zone
        func day(_ p: Int32) -> LocalDate { zone.localDate(at: index.at[Int(p)]) }
        func inPeriod(_ list: [Int]) -> [Int32] { index.positions(list).filter { $0 >= lower && $0 <= upper } }

        var f = Figures()
        if index.counts(lower, asAnyOf: ruleSet.startUnknownKinds) { f.startNotKnown = true } else { f.enteredCare = day(lower) }
        if let end = period.end, index.counts(end, asAnyOf: adoptionOrder) { f.adopted = day(end) }
        // The placement for adoption with the family that adopted: the last of the period, if it goes on (or
        // ended with the adoption order); one that ended otherwise was disrupted, and the child waits again.
        if let adoptiveKind = ruleSet.periods.firstIndex(where: { $0.name == "adoptive-placement" }),
           let last = periods.instances(adoptiveKind).last(where: { $0.start >= lower && $0.start <= upper }),
           last.end.map({ $0 == period.end || index.counts($0, asAnyOf: adoptionOrder) }) ?? true
        {
            f.movedIn = day(last.start)
            f.fosterCarerAdoption = index.counts(last.start, asAnyOf: kinds("placed-for-adoption-with-foster-carers"))
                || !inPeriod(kinds("adopters-are-foster-carers")).isEmpty
            // The foster placement with the same carers: the placement the move into adoption ended.
            if let placementKind = ruleSet.periods.firstIndex(where: { $0.name == "placement" }),
               let before = periods.instances(placementKind).last(where: { $0.end == last.start && $0.start >= lower })
            {
                f.movedInWithCarers = day(before.start)
            }
        } else {
            f.fosterCarerAdoption = !inPeriod(kinds("adopters-are-foster-carers")).isEmpty
        }
        let moveIn = f.movedIn.map { $0.dayNumber } ?? Int.max
        f.match = inPeriod(kinds("match-agreed")).last { day($0).dayNumber <= moveIn }.map(day)
        // The authority in force at the match (or the move, or now): the start of the authority to place that
        // holds then, not an earlier one revoked before it.
        let by = f.match.map { $0.dayNumber } ?? moveIn
        if let authority = ruleSet.periods.firstIndex(where: { $0.name == "authority-to-place" }) {
            let held = periods.instances(authority).filter { $0.start >= lower && $0.start <= upper }
            let inForce = held.last { day($0.start).dayNumber <= by && ($0.end.map { day($0).dayNumber >= by || index.counts($0, asAnyOf: adoptionOrder) } ?? true) }
            f.authorityToPlace = (inForce ?? held.first).map { day($0.start) }
        }
        return f
    }
}
