/// Facts a lenient import set aside (`data-set-aside` events, their note saying which and why), each with the
/// stretch of the case's history whose deadlines rest on it: the period of care it falls in (from its start to
/// its end, or on), or the day itself outside any.
public struct IncompleteData: Sendable {
    public struct Fact: Sendable {
        public let event: CaseEvent
        public let from: Instant
        public let until: Instant?

        /// Whether a deadline with this anchor and due time rests on the fact.
        public func covers(anchor: Instant, due: Instant) -> Bool {
            let end = until ?? .distantFuture
            return (anchor >= from && anchor <= end) || (due >= from && due <= end)
        }
    }

    /// The event kind a lenient import records for a fact it set aside.
    public static let kind = "data-set-aside"

    /// The facts set aside in an evaluated case, in time order.
    public static func find(in evaluation: CaseEvaluation, ruleSet: RuleSet) -> [Fact] {
        guard let k = ruleSet.eventKind(kind), evaluation.events.contains(where: { $0.kind == kind }) else { return [] }
        let index = CaseIndex(events: evaluation.events, kinds: ruleSet.kindTable, expansions: ruleSet.expansions)
        // The periods' lists live in the index's memory: it stays until they are read.
        defer { withExtendedLifetime(index) {} }
        var periods = CasePeriods(index: index, kinds: ruleSet.periods, zone: ruleSet.zone)
        let episode = ruleSet.periods.firstIndex { $0.name == "episode" }
        let instances = episode.map { periods.instances($0) } ?? CasePeriods.none
        return index.positions([k]).map { p in
            let e = evaluation.events[Int(p)]
            if let i = instances.first(where: { $0.start <= p && ($0.end.map { p <= $0 } ?? true) }) {
                return Fact(event: e, from: index.at[Int(i.start)], until: i.end.map { index.at[Int($0)] })
            }
            return Fact(event: e, from: e.at, until: e.at.adding(seconds: 86_400))
        }
    }
}
