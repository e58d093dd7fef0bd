/// Turns a case and its events into deadlines with the shipped rules. Pure: no clock, no I/O.
public struct Evaluator: Sendable {
    public let ruleSet: RuleSet

    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
    }

    /// An active event with its kind index and position in time order.
    struct Active {
        let event: CaseEvent
        let kind: Int
        let position: Int
    }

    /// Evaluates every applicable rule for a case. Withdrawn and superseded events are set aside first, so
    /// changing or withdrawing an event re-evaluates everything that depended on it.
    public func evaluate(_ c: ChildCase, events: [CaseEvent]) -> CaseEvaluation {
        let (active, ignored) = resolve(events)
        var list: [Active] = []
        list.reserveCapacity(active.count)
        for (i, e) in active.enumerated() {
            list.append(Active(event: e, kind: ruleSet.eventIndex[e.kind] ?? -1, position: i))
        }
        var deadlines: [Deadline] = []
        guard let calendar = ruleSet.calendars[c.calendar] else {
            for i in ruleSet.applicableRules(plan: c.plan, calendar: c.calendar, packs: c.packs) {
                deadlines.append(Deadline(ruleIndex: i, ruleID: ruleSet.rules[i].id, cycle: 1,
                    state: .cannotCompute(reason: "unknown calendar '\(c.calendar)'")))
            }
            return CaseEvaluation(caseRecord: c, events: active, ignoredEvents: ignored, deadlines: deadlines)
        }
        let calc = DateCalculator(zone: ruleSet.zone, calendar: calendar)
        for i in ruleSet.applicableRules(plan: c.plan, calendar: c.calendar, packs: c.packs) {
            evaluateRule(i, list, calc, into: &deadlines)
        }
        return CaseEvaluation(caseRecord: c, events: active, ignoredEvents: ignored, deadlines: deadlines)
    }

    /// Splits events into those that count (time order) and those that do not, with reasons.
    func resolve(_ events: [CaseEvent]) -> ([CaseEvent], [(event: CaseEvent, reason: String)]) {
        var supersededBy: [String: String] = [:]
        for e in events where !e.withdrawn {
            if let s = e.supersedes { supersededBy[s] = e.id }
        }
        var active: [CaseEvent] = []
        var ignored: [(event: CaseEvent, reason: String)] = []
        for e in events {
            if e.withdrawn {
                ignored.append((e, "withdrawn"))
            } else if let by = supersededBy[e.id] {
                ignored.append((e, "corrected by \(by)"))
            } else {
                active.append(e)
            }
        }
        // Stable sort by time keeps the recorded order of simultaneous events.
        let ordered = active.enumerated().sorted { a, b in
            a.element.at != b.element.at ? a.element.at < b.element.at : a.offset < b.offset
        }.map(\.element)
        return (ordered, ignored)
    }

    @inline(__always)
    private func matches(_ a: Active, _ kinds: [Int]) -> Bool {
        guard a.kind >= 0, !kinds.isEmpty else { return false }
        for k in ruleSet.expansions[a.kind] where kinds.contains(k) { return true }
        return false
    }

    private func ref(_ a: Active) -> Deadline.EventRef {
        Deadline.EventRef(id: a.event.id, kind: a.event.kind, at: a.event.at, dateOnly: a.event.dateOnly)
    }

    private func evaluateRule(_ index: Int, _ events: [Active], _ calc: DateCalculator, into out: inout [Deadline]) {
        let rule = ruleSet.rules[index]
        let compiled = ruleSet.compiled[index]
        let anchors = events.filter { matches($0, compiled.anchor) }
        guard let firstAnchor = anchors.first else {
            let names = rule.anchor.joined(separator: " or ")
            out.append(Deadline(ruleIndex: index, ruleID: rule.id, cycle: 1,
                state: .cannotCompute(reason: "no \(names) event recorded")))
            return
        }
        var chosen: [Active]
        switch rule.anchorOccurrence {
        case .only:
            if let other = anchors.first(where: { $0.event.at != firstAnchor.event.at }) {
                let reason = "contradictory anchors: \(firstAnchor.event.kind) \(firstAnchor.event.id) at "
                    + "\(ruleSet.zone.iso8601(firstAnchor.event.at)) and \(other.event.id) at "
                    + "\(ruleSet.zone.iso8601(other.event.at)); withdraw or correct one"
                out.append(Deadline(ruleIndex: index, ruleID: rule.id, cycle: 1, state: .cannotCompute(reason: reason)))
                return
            }
            chosen = [firstAnchor]
        case .first: chosen = [firstAnchor]
        case .latest: chosen = [anchors.last!]
        case .each: chosen = anchors
        }
        var consumed = Set<Int>()
        var previousAnchorPosition = -1
        for anchor in chosen {
            cycles(index, rule, compiled, anchor, previousAnchorPosition, events, calc, &consumed, &out)
            previousAnchorPosition = anchor.position
        }
    }

    // swiftlint:disable:next function_parameter_count
    private func cycles(
        _ index: Int, _ rule: Rule, _ compiled: CompiledRule, _ anchor: Active, _ previousAnchorPosition: Int,
        _ events: [Active], _ calc: DateCalculator, _ consumed: inout Set<Int>, _ out: inout [Deadline]
    ) {
        let isBefore = rule.due.amount < 0
        // Meeting and moot events count only after the clock starts (for a deadline before a future
        // event: after the previous anchor).
        var window = isBefore ? previousAnchorPosition : anchor.position
        let endOfCycle = events.first { $0.position > anchor.position && matches($0, compiled.until) }
        var base = ref(anchor)
        var cycle = 1
        while cycle <= 500 {
            let offset: Offset
            if cycle == 1 {
                offset = rule.due
            } else if let rec = rule.recurrence, !rec.every.isEmpty {
                if let later = rec.later, let switchAt = try? calc.add(later.after, to: point(ref(anchor))),
                    base.at >= instant(switchAt)
                {
                    offset = later.every
                } else {
                    offset = rec.every[min(cycle - 2, rec.every.count - 1)]
                }
            } else {
                return
            }
            if cycle > 1, let end = endOfCycle, end.event.at <= base.at { return }
            let due: (Instant, LocalDate, Bool)
            do {
                due = try dueMoment(offset, from: base, rule: rule, calc: calc)
            } catch {
                out.append(Deadline(ruleIndex: index, ruleID: rule.id, cycle: cycle, state: .cannotCompute(reason: error.description)))
                return
            }
            var met: Active?
            var seen = 0
            for e in events where e.position > window && !consumed.contains(e.position) && matches(e, compiled.metBy) {
                seen += 1
                if seen == rule.metByNth {
                    met = e
                    break
                }
            }
            var moot: Active?
            for e in events where e.position > window && (matches(e, compiled.mootIf) || matches(e, compiled.until)) {
                if let m = met, e.event.at >= m.event.at { break }
                moot = e
                break
            }
            if let met, moot == nil { consumed.insert(met.position) }
            out.append(Deadline(ruleIndex: index, ruleID: rule.id, cycle: cycle, state: .computed(.init(
                anchor: base, offset: offset, dueInstant: due.0, dueDate: due.1, isExact: due.2,
                met: moot == nil ? met.map(ref) : nil, moot: moot.map(ref)))))
            guard let met, moot == nil, rule.recurrence != nil else { return }
            base = ref(met)
            window = met.position
            cycle += 1
        }
    }

    private func point(_ e: Deadline.EventRef) -> TimePoint {
        e.dateOnly ? .date(ruleSet.zone.localDate(at: e.at)) : .dateTime(ruleSet.zone.localDateTime(at: e.at), e.at)
    }

    private func instant(_ p: TimePoint) -> Instant {
        switch p {
        case .date(let d): return ruleSet.zone.startOfDay(d)
        case .dateTime(_, let i): return i
        }
    }

    /// The instant a deadline is missed, its local date, and whether it is an exact time.
    func dueMoment(_ offset: Offset, from base: Deadline.EventRef, rule: Rule, calc: DateCalculator)
        throws(DateCalculator.Failure) -> (Instant, LocalDate, Bool)
    {
        let zone = ruleSet.zone
        if offset.unit == .hours {
            // A date-only anchor stands at local midnight.
            let end = base.at.adding(seconds: offset.amount * 3600)
            let date = zone.localDate(at: end)
            switch rule.dueTime {
            case .exact: return (end, date, true)
            case .endOfDay: return (zone.startOfDay(date.adding(days: 1)), date, false)
            case .at(let s): return (zone.instant(LocalDateTime(date: date, secondOfDay: s)), date, true)
            }
        }
        let baseLocal = zone.localDateTime(at: base.at)
        let date = try calc.addToDate(offset, baseLocal.date)
        switch rule.dueTime {
        case .endOfDay:
            return (zone.startOfDay(date.adding(days: 1)), date, false)
        case .exact where !base.dateOnly:
            return (zone.instant(LocalDateTime(date: date, secondOfDay: baseLocal.secondOfDay)), date, true)
        case .exact:
            return (zone.startOfDay(date.adding(days: 1)), date, false)
        case .at(let s):
            return (zone.instant(LocalDateTime(date: date, secondOfDay: s)), date, true)
        }
    }
}
