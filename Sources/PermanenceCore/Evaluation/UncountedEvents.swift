/// An event that meets nothing where it was recorded: a review while the child was not looked after, a
/// visit after the placement had ended. It stays in the history; `explain` lists it with the reason and an
/// import warns about it, so that nobody believes a duty was done when the record says it counted for nothing.
public struct UncountedEvent: Sendable, Equatable {
    public let event: CaseEvent
    /// Why it counts for nothing, in words (`no placement was open then: the last one ended on ...`).
    public let reason: String
}

/// Finds the events of an evaluated case that could meet a rule's deadline only inside a period (a period of
/// care, a placement) and were recorded outside every period of that kind. An event that some applicable rule counts
/// wherever it stands (an unscoped rule) is never listed. Pure, and run only where a person reads the answer
/// (`explain`, import warnings): the evaluator's hot path does not pay for it.
public struct UncountedEvents: Sendable {
    public let ruleSet: RuleSet

    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
    }

    /// The evaluation's counting events that count for nothing, in time order.
    public func find(in evaluation: CaseEvaluation) -> [UncountedEvent] {
        let events = evaluation.events
        guard !events.isEmpty else { return [] }
        let c = evaluation.caseRecord
        let index = CaseIndex(events: events, kinds: ruleSet.kindTable, expansions: ruleSet.expansions)
        // The periods' lists live in the index's memory: it stays until they are read.
        defer { withExtendedLifetime(index) {} }
        var periods = CasePeriods(index: index, kinds: ruleSet.periods, zone: ruleSet.zone)
        // Per position: counted by some rule, or the scopes it could have counted in.
        var counted = [Bool](repeating: false, count: events.count)
        // An event that starts or ends a period shapes the history (a placement ended): it is never "for nothing".
        for k in ruleSet.periods.indices {
            for p in index.positions(ruleSet.periods[k].starts) { counted[Int(p)] = true }
            for p in index.positions(ruleSet.periods[k].ends) { counted[Int(p)] = true }
        }
        var scopes: [Int: [Int]] = [:]
        for i in ruleSet.applicableRules(plan: c.plan, calendar: c.calendar, packs: c.packs) {
            let rule = ruleSet.compiled[i]
            let met = index.positions(rule.metBy)
            guard !met.isEmpty else { continue }
            guard let scope = rule.scope else {
                for p in met { counted[Int(p)] = true }
                continue
            }
            // Any period of the scope, of whatever type: an event inside a placement of a kind whose visits no
            // rule tracks (a Scottish child at home) stands where the law has nothing to count, not in the wrong
            // place, and is not listed.
            let open = periods.instances(scope)
            for p in met where !counted[Int(p)] {
                if open.contains(where: { within(p, $0, index) }) {
                    counted[Int(p)] = true
                } else if !(scopes[Int(p)]?.contains(scope) ?? false) {
                    scopes[Int(p), default: []].append(scope)
                }
            }
        }
        var out: [UncountedEvent] = []
        for p in scopes.keys.sorted() where !counted[p] {
            out.append(UncountedEvent(event: events[p], reason: reason(Int32(p), scopes[p]!, index, &periods)))
        }
        return out
    }

    /// Whether position `p` falls in a period: from its start to its end, both included; an event with a date
    /// only on the day of a timed start counts in it too (it sorts first, as the evaluator knows).
    private func within(_ p: Int32, _ period: CasePeriods.Instance, _ index: CaseIndex) -> Bool {
        if let end = period.end, p > end { return false }
        if period.start <= p { return true }
        let zone = ruleSet.zone
        return index.dateOnly[Int(p)] && !index.dateOnly[Int(period.start)]
            && zone.localDate(at: index.at[Int(p)]) == zone.localDate(at: index.at[Int(period.start)])
    }

    /// `it can count only within a placement, and none was open then: the last ended on 2026-03-02, when the
    /// placement ended (placement-ended)`.
    private func reason(_ p: Int32, _ scopes: [Int], _ index: CaseIndex, _ periods: inout CasePeriods) -> String {
        let names = scopes.map(called)
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + names.last!
        var text = "it can count only within a \(list), and none was open then"
        var lastEnd: Int32?
        var nextStart: Int32?
        for k in scopes {
            for i in periods.instances(k) {
                if let e = i.end, (e < p) && (e > (lastEnd ?? -1)) { lastEnd = e }
                if (i.start > p) && (i.start < (nextStart ?? .max)) { nextStart = i.start }
            }
        }
        let zone = ruleSet.zone
        if let e = lastEnd {
            let kind = index.events[Int(e)].kind
            text += ": the last ended on \(zone.localDate(at: index.at[Int(e)])), when "
                + "\(ruleSet.vocabulary.closingWords(kind)) (\(kind))"
        } else if let s = nextStart {
            text += ": the first started later, on \(zone.localDate(at: index.at[Int(s)])) (\(index.events[Int(s)].kind))"
        } else {
            text += ": none is recorded for this case"
        }
        return text
    }

    /// What a person calls a period kind (`period of care`).
    private func called(_ k: Int) -> String {
        let name = ruleSet.periods[k].name
        return ruleSet.vocabulary.period(name)?.called ?? name.split(separator: "-").joined(separator: " ")
    }
}
