/// The periods of an evaluated case that began on a day the data does not give: those whose starting event is
/// a `start-unknown` marker (`looked-after-before`). A marker inside a period whose real start was recorded
/// since (an older return, a `became-looked-after` recorded by hand) starts nothing and is not listed.
public enum UnknownStarts {
    /// The markers that start a period, in time order.
    public static func find(in evaluation: CaseEvaluation, ruleSet: RuleSet) -> [CaseEvent] {
        guard !ruleSet.startUnknownKinds.isEmpty, !evaluation.events.isEmpty else { return [] }
        let index = CaseIndex(events: evaluation.events, kinds: ruleSet.kindTable, expansions: ruleSet.expansions)
        // The periods' lists live in the index's memory: it stays until they are read.
        defer { withExtendedLifetime(index) {} }
        guard !index.positions(ruleSet.startUnknownSlot).isEmpty else { return [] }
        var periods = CasePeriods(index: index, kinds: ruleSet.periods, zone: ruleSet.zone)
        var starts = Set<Int32>()
        for k in ruleSet.periods.indices {
            for p in periods.instances(k) where index.counts(p.start, asAnyOf: ruleSet.startUnknownKinds) { starts.insert(p.start) }
        }
        return starts.sorted().map { evaluation.events[Int($0)] }
    }
}
