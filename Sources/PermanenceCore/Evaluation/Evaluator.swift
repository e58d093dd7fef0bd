/// Turns a case and its events into deadlines with the shipped rules. Pure: no clock, no I/O.
public struct Evaluator: Sendable {
    public let ruleSet: RuleSet

    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
    }

    /// Evaluates every applicable rule for a case. Withdrawn and superseded events are set aside first, so
    /// changing or withdrawing an event re-evaluates everything that depended on it.
    public func evaluate(_ c: ChildCase, events: [CaseEvent]) -> CaseEvaluation {
        let c = withStandIns(c)
        let (active, ignored) = resolve(events)
        var deadlines: [Deadline] = []
        var reasons: [String] = []
        let applicable = ruleSet.applicableRules(plan: c.plan, calendar: c.calendar, packs: c.packs)
        guard let calculators = ruleSet.calculators[c.calendar] else {
            reasons.append("unknown calendar '\(c.calendar)'")
            for i in applicable {
                deadlines.append(Deadline(ruleIndex: i, ruleName: ruleSet.compiled[i].name, cycle: 1, state: .cannotCompute(reason: .init(reasonIndex: 0))))
            }
            return CaseEvaluation(caseRecord: c, events: active, ignoredEvents: ignored, deadlines: deadlines, reasons: reasons,
                                  missingAnchorReasons: ruleSet.missingAnchorReasons)
        }
        let index = CaseIndex(events: active, kinds: ruleSet.kindTable, expansions: ruleSet.expansions)
        // Each bound once for the case: a choice between the struct's two fields in the loop below would take a
        // reference count for every rule.
        let local = calculators.local, statutory = calculators.statutory
        deadlines.reserveCapacity(applicable.count + active.count)
        var periods = CasePeriods(index: index, kinds: ruleSet.periods, zone: ruleSet.zone)
        // A period of care that began before the data (an extract's first row continuing it): one look-up.
        let unknownStart = !index.positions(ruleSet.startUnknownSlot).isEmpty
        for i in applicable {
            // Borrowed from the rule set, which outlives the evaluation: no reference count taken on a rule shared
            // with the other evaluating threads (each count would be a cache line passed between cores).
            ruleSet.unretainedRules[i]._withUnsafeGuaranteedRef { rule in
                evaluateRule(i, rule, index, &periods, rule.statutory ? statutory : local, unknownStart: unknownStart,
                             into: &deadlines, &reasons)
            }
        }
        return CaseEvaluation(caseRecord: c, events: active, ignoredEvents: ignored, deadlines: deadlines, reasons: reasons,
                              missingAnchorReasons: ruleSet.missingAnchorReasons)
    }

    /// The case with each empty role filled by its stand-in's worker (`[stand-ins]` in the vocabulary), so
    /// reminders, escalations and the agenda reach a real person.
    func withStandIns(_ c: ChildCase) -> ChildCase {
        var out = c
        for (role, chain) in ruleSet.standInChains where c.assignments[role] == nil {
            if let w = chain.lazy.compactMap({ c.assignments[$0] }).first { out.assignments[role] = w }
        }
        return out
    }

    /// Splits events into those that count (time order) and those that do not, with reasons.
    func resolve(_ events: [CaseEvent]) -> ([CaseEvent], [(event: CaseEvent, reason: String)]) {
        var sorted = true
        var amended = false
        // By index, each field read in place: the usual history (sorted, nothing amended) copies no event.
        for i in events.indices {
            if events[i].withdrawn || events[i].supersedes != nil { amended = true }
            if i > 0 && events[i - 1].at > events[i].at { sorted = false }
        }
        if !amended && sorted { return (events, []) }
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

    private func ref(_ index: CaseIndex, _ p: Int32) -> Deadline.EventRef {
        Deadline.EventRef(position: Int(p), at: index.at[Int(p)], dateOnly: index.dateOnly[Int(p)])
    }

    /// The stretch of a case's history a rule's deadlines are worked out in: the whole case, or one period
    /// of its scope (less any time it is suspended).
    struct Span {
        /// First position an anchor may stand at.
        let lower: Int32
        /// The event that closes the span (its period ended, or a suspension began); nil if it goes on.
        let close: Int32?
        /// The anchor is this event rather than the rule's own: the start of its period, or the end of a
        /// suspension, from which the rule starts again.
        var fixedAnchor: Int32?
        /// The cycle the fixed anchor starts (above 1 when a rule resumed after a suspension goes on from the
        /// last time it was met: the anchor is that meeting event, and the interval the next in its series).
        var startCycle: Int = 1
        /// The first position of the period the span is part of (`met-from = "period-start"` counts from
        /// there, also after a suspension: a care plan prepared once need not be prepared again).
        var periodStart: Int32 = 0
        /// `moot-if-before-anchor` events count after this position: the end of the previous period of the
        /// scope (adopters identified after a placement order was revoked, before the next one), or -1.
        var conditionsAfter: Int32 = -1
        /// The end of the previous period of the scope, or -1 (`met-from = "before-period"` counts after it).
        var previousEnd: Int32 = -1
        /// The period began on a day not in the data, and nothing in the span says where the rule stands.
        var unknownStart = false

        static let whole = Span(lower: 0, close: nil, fixedAnchor: nil)
    }

    private func evaluateRule(_ i: Int, _ rule: CompiledRule, _ index: CaseIndex, _ periods: inout CasePeriods, _ calc: DateCalculator,
                              unknownStart: Bool, into out: inout [Deadline], _ reasons: inout [String]) {
        guard let scope = rule.scope else {
            if !evaluateSpan(i, rule, index, .whole, calc, into: &out, &reasons) { out.append(waiting(i, rule)) }
            return
        }
        var produced = false
        var matching = false
        // Spans that gave deadlines: only a series taken up again after a suspension can repeat one.
        var spansWithDeadlines = 0
        let first = out.count
        let instances = periods.instances(scope)
        for (n, p) in instances.enumerated() {
            if !rule.scopeTypes.isEmpty && !index.counts(p.start, asAnyOf: rule.scopeTypes) { continue }
            if !rule.scopeExcept.isEmpty && index.counts(p.start, asAnyOf: rule.scopeExcept) { continue }
            matching = true
            func take(_ span: Span) {
                var span = span
                if span.lower == p.start, n > 0 { span.conditionsAfter = instances[n - 1].end ?? -1 }
                if n > 0 { span.previousEnd = instances[n - 1].end ?? -1 }
                if unknownStart, span.lower == p.start, rule.anchorIsScopeStart || rule.occurrence == .first || rule.occurrence == .only,
                   index.counts(p.start, asAnyOf: ruleSet.startUnknownKinds), !fromUnknownStart(rule, index, &span) {
                    produced = true  // met in the span: nothing to show, and nothing waiting
                    return
                }
                let before = out.count
                if evaluateSpan(i, rule, index, span, calc, into: &out, &reasons) { produced = true }
                if out.count > before { spansWithDeadlines += 1 }
            }
            // A rule never suspended has the one span, the whole period: no list made for it (one per rule of
            // every case).
            if rule.suspendedIn.isEmpty {
                take(Self.wholePeriod(p, rule))
            } else {
                for span in spans(p, rule, index, &periods, calc) { take(span) }
            }
        }
        // A rule for some types of placement says nothing about a case whose placements are all of others.
        if !produced && (matching || (instances.isEmpty && rule.scopeTypes.isEmpty)) { out.append(waiting(i, rule)) }
        if rule.resumeContinues && spansWithDeadlines > 1 { keepLastOfEach(&out, from: first) }
    }

    /// The first span of a period that began on a day not in the data, for a rule counted from the period's
    /// start or from the first (only) anchor in it: the rule goes on from the last time it was met in the span,
    /// with the interval that comes next (a review held goes on to the next review), or it cannot be worked
    /// out (`unknownStart`): nothing is counted from a day that is not the start. False when a one-off deadline
    /// was met in it: there is nothing to show.
    private func fromUnknownStart(_ rule: CompiledRule, _ index: CaseIndex, _ span: inout Span) -> Bool {
        let met = within(index.positions(rule.metBy), from: span.lower, through: span.close)
        guard let last = met.last else {
            span.unknownStart = true
            return true
        }
        guard rule.repeats else { return false }
        span.fixedAnchor = last
        span.startCycle = 1 + met.count
        return true
    }

    /// A series resumed twice from the same meeting (placed for adoption, the placement ended, placed again
    /// and ended again, with no review between) gives the same deadline twice, the same anchor and cycle: it
    /// is one obligation, suspended and taken up again, and the latest span's account of it stands.
    private func keepLastOfEach(_ out: inout [Deadline], from first: Int) {
        var seen = Set<Int>()
        var keep = [Bool](repeating: true, count: out.count - first)
        for k in stride(from: out.count - 1, through: first, by: -1) {
            guard let c = out[k].computed else { continue }
            if !seen.insert(c.anchor.position << 16 | out[k].cycle).inserted { keep[k - first] = false }
        }
        guard keep.contains(false) else { return }
        var n = first
        for k in first..<out.count where keep[k - first] {
            out[n] = out[k]
            n += 1
        }
        out.removeLast(out.count - n)
    }

    private func waiting(_ i: Int, _ rule: CompiledRule) -> Deadline {
        var d = Deadline(ruleIndex: i, ruleName: rule.name, cycle: 1, state: .cannotCompute(reason: .init(missingAnchorOfRule: i)))
        d.awaitsAnchor = true
        return d
    }

    /// A period of the rule's scope, cut where the rule is suspended: the part before the first suspension,
    /// then one part from the end of each suspension to the start of the next (or the period's end).
    private func spans(_ p: CasePeriods.Instance, _ rule: CompiledRule, _ index: CaseIndex, _ periods: inout CasePeriods,
                       _ calc: DateCalculator) -> [Span] {
        let first = Self.wholePeriod(p, rule)
        guard !rule.suspendedIn.isEmpty else { return [first] }
        var gaps: [CasePeriods.Instance] = []
        for k in rule.suspendedIn {
            for g in periods.instances(k) where (p.end.map { g.start < $0 } ?? true) && (g.end.map { $0 > p.start } ?? true) {
                gaps.append(g)
            }
        }
        guard !gaps.isEmpty else { return [first] }
        gaps.sort { $0.start < $1.start }
        var out: [Span] = []
        var lower = p.start
        var anchor = first.fixedAnchor
        var startCycle = 1
        for g in gaps {
            // Suspended from the start of the period (or of this part): nothing runs before it.
            if g.start > lower {
                out.append(Span(lower: lower, close: g.start, fixedAnchor: anchor, startCycle: startCycle, periodStart: p.start))
            }
            guard let end = g.end else { return out }
            if end > lower {
                lower = end
                startCycle = 1
                // The first date in force before this suspension: counted from the period start, or from the
                // end of an earlier suspension.
                let carried = anchor
                // A rule with its own anchor looks for it again after the suspension.
                anchor = rule.anchorIsScopeStart ? end : nil
                // `resume = "continue"`: the series goes on from the last time it was met in this period (a
                // review held during the suspension counts), with the interval that comes next.
                if rule.resumeContinues, let last = index.positions(rule.metBy).last(where: { $0 >= p.start && $0 < end }) {
                    anchor = last
                    startCycle = 1 + index.positions(rule.metBy).reduce(0) { $1 >= p.start && $1 <= last ? $0 + 1 : $0 }
                } else if rule.resumeContinues, rule.anchorIsScopeStart, let from = carried, !index.counts(from, asAnyOf: ruleSet.startUnknownKinds),
                          let due = try? dueMoment(rule.due, from: ref(index, from), rule: rule, calc: calc), due.0 > index.at[Int(end)] {
                    // Nothing held yet, and the first deadline counted from the start of the period is still
                    // ahead when the suspension ends: that date stands (AAR reg 36(1)(a): 3 months after the
                    // agency first had authority to place, not after the disruption). One that fell during the
                    // suspension cannot be met any more, and the first interval counts from its end.
                    anchor = from
                }
            }
        }
        if p.end.map({ lower < $0 }) ?? true {
            out.append(Span(lower: lower, close: p.end, fixedAnchor: anchor, startCycle: startCycle, periodStart: p.start))
        }
        return out
    }

    /// The whole of a period of the rule's scope, as one span.
    private static func wholePeriod(_ p: CasePeriods.Instance, _ rule: CompiledRule) -> Span {
        Span(lower: p.start, close: p.end, fixedAnchor: rule.anchorIsScopeStart ? p.start : nil, periodStart: p.start)
    }

    /// The part of a sorted slice of positions from `lower` up to and including `upper`.
    private func within(_ slice: Positions, from lower: Int32, through upper: Int32?) -> Positions {
        let lo = upperBound(slice, lower - 1)
        let hi = upper.map { upperBound(slice, $0) } ?? slice.endIndex
        return lo < hi ? slice[lo..<hi] : slice[lo..<lo]
    }

    /// Works out a rule's deadlines in one span; false if its anchor is not in it (the rule is waiting).
    private func evaluateSpan(_ i: Int, _ rule: CompiledRule, _ index: CaseIndex, _ span: Span, _ calc: DateCalculator,
                               into out: inout [Deadline], _ reasons: inout [String]) -> Bool {
        // The condition belongs to the case (a PACE test-of-change case), wherever it was recorded.
        if !rule.onlyIf.isEmpty && index.positions(rule.onlyIf).isEmpty { return false }
        if span.unknownStart {
            let day = ruleSet.zone.localDate(at: index.at[Int(span.lower)])
            let from = rule.anchorIsScopeStart ? "its start" : "the first \(rule.startingEvents.joined(separator: " or ")) in it"
            reasons.append("the period of care began before the data (it was already open on \(day)): this deadline counts from \(from), "
                + "which the data does not give. Record became-looked-after with the day the child came into care (or import an earlier return) to work it out")
            out.append(Deadline(ruleIndex: i, ruleName: rule.name, cycle: 1, state: .cannotCompute(reason: .init(reasonIndex: reasons.count - 1))))
            return true
        }
        var anchors: Positions
        if let fixed = span.fixedAnchor {
            anchors = index.only(fixed)
        } else {
            // An anchor at the closing event itself starts nothing in this span.
            let upper = span.close.map { $0 - 1 }
            anchors = span.lower == 0 && upper == nil ? index.positions(rule.anchor) : within(index.positions(rule.anchor), from: span.lower, through: upper)
        }
        if !rule.anchorExcept.isEmpty { anchors = index.keep(anchors.filter { !index.counts($0, asAnyOf: rule.anchorExcept) }) }
        guard let first = anchors.first else { return false }
        let chosen: Positions
        switch rule.occurrence {
        case .only where span.fixedAnchor == nil:
            let a = index.events[Int(first)]
            if let other = anchors.first(where: { index.at[Int($0)] != a.at }) {
                let b = index.events[Int(other)]
                let reason = "this rule counts from one \(a.kind), and the record has two: \(a.id) at \(ruleSet.zone.iso8601(a.at)) and "
                    + "\(b.id) at \(ruleSet.zone.iso8601(b.at)). If one was recorded in error, correct it; if both happened, "
                    + "keep the record as it is and tell your permanenced administrator, who can make the rule count from each"
                reasons.append(reason)
                out.append(Deadline(ruleIndex: i, ruleName: rule.name, cycle: 1, state: .cannotCompute(reason: .init(reasonIndex: reasons.count - 1))))
                return true
            }
            chosen = anchors.prefix(1)
        case .only, .first: chosen = anchors.prefix(1)
        case .latest: chosen = anchors.suffix(1)
        case .each: chosen = anchors
        }
        func limited(_ kinds: [Int]) -> Positions {
            let all = index.positions(kinds)
            return span.close == nil ? all : within(all, from: 0, through: span.close)
        }
        var chain = Chain(
            met: limited(rule.metBy), moot: limited(rule.mootOrUntil),
            until: limited(rule.until), consumed: chosen.count > 1 ? Set() : nil, close: span.close,
            extensions: rule.extendOn.isEmpty ? index.none : limited(rule.extendOn),
            switches: rule.changes.map { limited($0.when) },
            conditions: rule.mootIf.isEmpty ? index.none : limited(rule.mootIf), lower: span.lower,
            periodStart: rule.metFromBeforePeriod ? span.previousEnd + 1 : span.periodStart)
        var previous: Int32 = span.lower - 1
        for anchor in chosen {
            let conditionsAfter = previous == span.lower - 1 ? min(previous, span.conditionsAfter) : previous
            cycles(i, rule, index, anchor, previous, conditionsAfter, calc, &chain, &out, &reasons,
                   startCycle: span.fixedAnchor == anchor ? span.startCycle : 1)
            previous = anchor
        }
        return true
    }

    /// The positions a rule's chain of deadlines draws on.
    private struct Chain {
        let met: Positions
        let moot: Positions
        let until: Positions
        /// Meeting events already used by an earlier anchor's chain (only for rules anchored on each event).
        var consumed: Set<Int32>?
        /// The event that closes the span, if it has one: a deadline still open then closes with it.
        let close: Int32?
        /// Events that extend a deadline.
        let extensions: Positions
        /// For each change of the repeat interval, the events after which it holds (`later.when`).
        let switches: [Positions]
        /// `moot-if` events: one between the previous anchor and this one means the deadline was never needed.
        let conditions: Positions
        /// The first position of the span.
        let lower: Int32
        /// The first position of the period the span is part of.
        let periodStart: Int32
    }

    // swiftlint:disable:next function_parameter_count
    private func cycles(
        _ i: Int, _ rule: CompiledRule, _ index: CaseIndex, _ anchor: Int32, _ previousAnchor: Int32, _ conditionsAfter: Int32,
        _ calc: DateCalculator,
        _ chain: inout Chain, _ out: inout [Deadline], _ reasons: inout [String], startCycle: Int = 1
    ) {
        let isBefore = rule.due.amount < 0
        // Meeting and moot events count only after the clock starts (for a deadline before a future
        // event: after the previous anchor).
        var window = isBefore ? previousAnchor : anchor
        let endOfCycle = chain.until.first { $0 > anchor }.map { index.at[Int($0)] }
        let closeAt = chain.close.map { index.at[Int($0)] }
        var base = ref(index, anchor)
        let anchorRef = base
        // For each change of interval: when it holds by time (`later.after` from the anchor), and the first
        // event in the period that switches it (`later.when`; one recorded before the anchor, a date-only
        // decision on placement day, counts too).
        let changeAt: [(time: Instant?, event: Instant?)] = rule.changes.indices.map { k in
            let time = rule.changes[k].after.flatMap { try? calc.add($0, to: point(anchorRef)) }.map(instant)
            let switches = chain.switches[k]
            var event = switches.first { $0 >= chain.lower }.map { index.at[Int($0)] }
            if chain.lower > 0, let before = switches.last(where: { $0 < chain.lower }) {
                let start = index.at[Int(chain.lower)]
                if index.dateOnly[Int(before)] && ruleSet.zone.localDate(at: index.at[Int(before)]) == ruleSet.zone.localDate(at: start) { event = start }
            }
            return (time, event)
        }
        var cycle = startCycle
        while cycle <= 500 + startCycle {
            var offset: Offset
            if cycle == 1 {
                offset = rule.due
            } else if rule.repeats, !rule.every.isEmpty {
                offset = rule.every[min(cycle - 2, rule.every.count - 1)]
            } else {
                return
            }
            if cycle > 1, let end = endOfCycle, end <= base.at { return }
            if cycle > 1, let closeAt, closeAt <= base.at { return }
            var due: (Instant, LocalDate, Bool)
            var earliest: Instant?
            var extensions = 0
            var lastExtension: Deadline.EventRef?
            do {
                // Changes of interval, in order; the last that holds gives the interval, counted from the same
                // base. One with `after` holds once that time (and its event, if it names one) has come by the
                // day the previous deadline was met. One with only `when` holds once its event has happened
                // before the deadline the interval so far gives would fall: weekly until the first review, then
                // every four weeks. Only the interval chosen in the end need be one the calendar can count.
                var chosen: (Instant, LocalDate, Bool)?
                if rule.latestEventWins {
                    // The agreement in force when the clock for this deadline started (recorded on or before the
                    // day of the anchor or of the last meeting) gives the interval. One made while the deadline
                    // runs may bring it forward (to a date still ahead of the agreement), never put it back: a
                    // longer interval applies from the next meeting on, and no agreement undoes a breach.
                    let zone = ruleSet.zone
                    let baseDay = zone.localDate(at: base.at)
                    // Agreements in the period, and one with a date only on the day it started (it sorts first).
                    let lowerDay = zone.localDate(at: index.at[Int(chain.lower)])
                    var inForce: (p: Int32, k: Int)?
                    var during: [(p: Int32, k: Int)] = []
                    for k in rule.changes.indices {
                        for p in chain.switches[k] {
                            let day = zone.localDate(at: index.at[Int(p)])
                            guard p >= chain.lower || (index.dateOnly[Int(p)] && day == lowerDay) else { continue }
                            if day <= baseDay {
                                if inForce.map({ p > $0.p }) ?? true { inForce = (p, k) }
                            } else {
                                during.append((p, k))
                            }
                        }
                    }
                    if let inForce { offset = rule.changes[inForce.k].every }
                    var running = try dueMoment(offset, from: base, rule: rule, calc: calc)
                    for a in during.sorted(by: { $0.p < $1.p }) where index.at[Int(a.p)] < running.0 {
                        let agreed = try dueMoment(rule.changes[a.k].every, from: base, rule: rule, calc: calc)
                        if agreed.0 < running.0 && agreed.0 > index.at[Int(a.p)] {
                            running = agreed
                            offset = rule.changes[a.k].every
                        }
                    }
                    chosen = running
                } else if cycle > 1 {
                    for (k, change) in rule.changes.enumerated() {
                        let (time, event) = changeAt[k]
                        let holds: Bool
                        if change.after != nil {
                            holds = (time.map { base.at >= $0 } ?? false) && (change.when.isEmpty || (event.map { $0 <= base.at } ?? false))
                        } else if let event {
                            if chosen == nil { chosen = try? dueMoment(offset, from: base, rule: rule, calc: calc) }
                            holds = chosen.map { event < $0.0 } ?? true
                        } else {
                            holds = false
                        }
                        if holds {
                            offset = change.every
                            chosen = nil
                        }
                    }
                }
                if let chosen { due = chosen } else { due = try dueMoment(offset, from: base, rule: rule, calc: calc) }
                if cycle == 1, let e = rule.earliest {
                    let m = try dueMoment(e, from: base, rule: rule, calc: calc)
                    earliest = m.2 ? m.0 : ruleSet.zone.startOfDay(m.1)
                    if rule.kind == .notBefore { due = (earliest!, m.1, m.2) }
                }
            } catch {
                reasons.append(error.description)
                out.append(Deadline(ruleIndex: i, ruleName: rule.name, cycle: cycle, state: .cannotCompute(reason: .init(reasonIndex: reasons.count - 1))))
                return
            }
            var met: Int32?
            var seen = 0
            // A step that may be taken before its anchor (a care plan prepared before the first placement)
            // counts from the start of the period.
            let first = cycle == 1 && rule.metFromPeriodStart ? upperBound(chain.met, chain.periodStart - 1) : upperBound(chain.met, window)
            let sameDay = cycle == 1 && !isBefore ? sameDayDateOnly(chain.met, before: first, anchor: window, index) : []
            // Two loops rather than one over a joined list: the usual case (no same-day date-only event)
            // allocates nothing.
            for p in sameDay where !(chain.consumed?.contains(p) ?? false) {
                seen += 1
                if seen == rule.metByNth {
                    met = p
                    break
                }
            }
            if met == nil {
                for p in chain.met[first...] where !(chain.consumed?.contains(p) ?? false) {
                    seen += 1
                    if seen == rule.metByNth {
                        met = p
                        break
                    }
                }
            }
            var moot: Int32?
            let m = upperBound(chain.moot, window)
            if m < chain.moot.endIndex {
                let p = chain.moot[m]
                if met == nil || index.at[Int(p)] < index.at[Int(met!)] { moot = p }
            }
            // "Only if no adopters identified": adopters identified before the clock started mean it was never
            // needed.
            if cycle == 1, !isBefore, rule.mootIfBeforeAnchor,
               let p = chain.conditions.last(where: { $0 > conditionsAfter && $0 < anchor }) {
                moot = p
                met = nil
            }
            // The span closed (its period ended, or a suspension began) before anything met or ended it.
            if let close = chain.close, met == nil, moot == nil, close > window { moot = close }
            if let met, moot == nil { chain.consumed?.insert(met) }
            // Each extension recorded after the clock started and before the deadline was met moves it.
            if let by = rule.extendBy {
                let e0 = upperBound(chain.extensions, window)
                for p in chain.extensions[e0...] {
                    let xAt = index.at[Int(p)]
                    if let m = met ?? moot, index.at[Int(m)] <= xAt { break }
                    if let times = rule.extendTimes, extensions >= times { break }
                    // An extension made once the deadline had passed does not revive it (unless the law
                    // allows late extensions: `after-due = true`).
                    if !rule.extendAfterDue && xAt >= due.0 { break }
                    let from = max(due.1, ruleSet.zone.localDate(at: xAt))
                    guard let date = try? calc.addToDate(by, from) else { break }
                    due = (due.2 ? ruleSet.zone.instant(LocalDateTime(date: date, secondOfDay: ruleSet.zone.localDateTime(at: due.0).secondOfDay))
                        : ruleSet.zone.startOfDay(date.adding(days: 1)), date, due.2)
                    extensions += 1
                    lastExtension = ref(index, p)
                }
            }
            let computed = Deadline.Computed(
                anchor: base, offset: offset, dueInstant: due.0, dueDate: due.1, isExact: due.2,
                met: moot == nil ? met.map { ref(index, $0) } : nil, moot: moot.map { ref(index, $0) },
                kind: rule.kind, earliest: earliest, extensions: extensions, lastExtension: lastExtension)
            out.append(Deadline(ruleIndex: i, ruleName: rule.name, cycle: cycle, state: .computed(computed)))
            guard let met, moot == nil, rule.repeats else { return }
            base = ref(index, met)
            // A date-only meeting on the anchor's day may stand before the anchor: later cycles still count
            // only what comes after both.
            window = max(met, window)
            cycle += 1
        }
    }

    /// Meeting events recorded with a date only on the anchor's own day, before `end` (they sort before a
    /// timed anchor, as a date stands at midnight): a visit written down as "5 December" for a child placed
    /// at 14:00 that day, which nothing says came first. They count, as the worker who recorded them meant.
    private func sameDayDateOnly(_ met: Positions, before end: Int, anchor: Int32, _ index: CaseIndex) -> [Int32] {
        guard !index.dateOnly[Int(anchor)], end > met.startIndex else { return [] }
        let day = ruleSet.zone.localDate(at: index.at[Int(anchor)])
        var out: [Int32] = []
        var i = end
        while i > met.startIndex {
            let p = Int(met[i - 1])
            guard ruleSet.zone.localDate(at: index.at[p]) == day else { break }
            if index.dateOnly[p] { out.append(met[i - 1]) }
            i -= 1
        }
        return out.isEmpty ? out : Array(out.reversed())
    }

    /// The first index of a sorted slice whose value is greater than `value`.
    @inline(__always)
    private func upperBound(_ slice: Positions, _ value: Int32) -> Int {
        var lo = slice.startIndex
        var hi = slice.endIndex
        while lo < hi {
            let mid = (lo + hi) >> 1
            if slice[mid] <= value { lo = mid + 1 } else { hi = mid }
        }
        return lo
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
    func dueMoment(_ offset: Offset, from base: Deadline.EventRef, rule: CompiledRule, calc: DateCalculator)
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
