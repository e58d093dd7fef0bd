/// Turns a case and its events into deadlines with the shipped rules. Pure: no clock, no I/O.
public struct Evaluator: Sendable {
    public let ruleSet: RuleSet

    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
    }

    /// Evaluates every applicable rule for a case. Withdrawn and superseded events are set aside first, so
    /// changing or withdrawing an event re-evaluates everything that depended on it.
    public func evaluate(_ c: ChildCase, events: [CaseEvent]) -> CaseEvaluation {
        let (active, ignored) = resolve(events)
        var deadlines: [Deadline] = []
        let applicable = ruleSet.applicableRules(plan: c.plan, calendar: c.calendar, packs: c.packs)
        guard let calendar = ruleSet.calendars[c.calendar] else {
            for i in applicable {
                deadlines.append(Deadline(ruleIndex: i, ruleID: ruleSet.rules[i].id, cycle: 1,
                    state: .cannotCompute(reason: "unknown calendar '\(c.calendar)'")))
            }
            return CaseEvaluation(caseRecord: c, events: active, ignoredEvents: ignored, deadlines: deadlines)
        }
        let index = CaseIndex(events: active, kindOf: active.map { ruleSet.kindTable.index(of: $0.kind) ?? -1 }, expansions: ruleSet.expansions)
        let local = DateCalculator(zone: ruleSet.zone, calendar: calendar)
        let statutory = ruleSet.statutoryCalendars[c.calendar].map { DateCalculator(zone: ruleSet.zone, calendar: $0) } ?? local
        deadlines.reserveCapacity(applicable.count + active.count)
        for i in applicable {
            evaluateRule(i, index, ruleSet.compiled[i].statutory ? statutory : local, into: &deadlines)
        }
        return CaseEvaluation(caseRecord: c, events: active, ignoredEvents: ignored, deadlines: deadlines)
    }

    /// Splits events into those that count (time order) and those that do not, with reasons.
    func resolve(_ events: [CaseEvent]) -> ([CaseEvent], [(event: CaseEvent, reason: String)]) {
        var sorted = true
        var amended = false
        for (i, e) in events.enumerated() {
            if e.withdrawn || e.supersedes != nil { amended = true }
            if i > 0 && events[i - 1].at > e.at { sorted = false }
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
        let e = index.events[Int(p)]
        return Deadline.EventRef(id: e.id, position: Int(p), at: e.at, dateOnly: e.dateOnly)
    }

    private func evaluateRule(_ i: Int, _ index: CaseIndex, _ calc: DateCalculator, into out: inout [Deadline]) {
        let rule = ruleSet.compiled[i]
        let anchors = index.positions(rule.anchor)
        guard let first = anchors.first else {
            var d = Deadline(ruleIndex: i, ruleID: rule.id, cycle: 1, state: .cannotCompute(reason: rule.missingAnchorReason))
            d.awaitsAnchor = true
            out.append(d)
            return
        }
        let chosen: ArraySlice<Int32>
        switch rule.occurrence {
        case .only:
            let a = index.events[Int(first)]
            if let other = anchors.first(where: { index.events[Int($0)].at != a.at }) {
                let b = index.events[Int(other)]
                let reason = "this rule counts from one \(a.kind), and the record has two: \(a.id) at \(ruleSet.zone.iso8601(a.at)) and "
                    + "\(b.id) at \(ruleSet.zone.iso8601(b.at)). If one was recorded in error, correct it; if both happened, "
                    + "keep the record as it is and tell your permanenced administrator, who can make the rule count from each"
                out.append(Deadline(ruleIndex: i, ruleID: rule.id, cycle: 1, state: .cannotCompute(reason: reason)))
                return
            }
            chosen = anchors.prefix(1)
        case .first: chosen = anchors.prefix(1)
        case .latest: chosen = anchors.suffix(1)
        case .each: chosen = anchors
        }
        var chain = Chain(
            index: index, met: index.positions(rule.metBy), moot: index.positions(rule.mootOrUntil),
            until: index.positions(rule.until), consumed: chosen.count > 1 ? Set() : nil)
        var previous: Int32 = -1
        for anchor in chosen {
            cycles(i, rule, anchor, previous, calc, &chain, &out)
            previous = anchor
        }
    }

    /// The positions a rule's chain of deadlines draws on.
    private struct Chain {
        let index: CaseIndex
        let met: ArraySlice<Int32>
        let moot: ArraySlice<Int32>
        let until: ArraySlice<Int32>
        /// Meeting events already used by an earlier anchor's chain (only for rules anchored on each event).
        var consumed: Set<Int32>?
    }

    // swiftlint:disable:next function_parameter_count
    private func cycles(
        _ i: Int, _ rule: CompiledRule, _ anchor: Int32, _ previousAnchor: Int32, _ calc: DateCalculator,
        _ chain: inout Chain, _ out: inout [Deadline]
    ) {
        let index = chain.index
        let isBefore = rule.due.amount < 0
        // Meeting and moot events count only after the clock starts (for a deadline before a future
        // event: after the previous anchor).
        var window = isBefore ? previousAnchor : anchor
        let endOfCycle = chain.until.first { $0 > anchor }.map { index.events[Int($0)].at }
        var base = ref(index, anchor)
        let anchorRef = base
        var switchAt: Instant?
        if let later = rule.later, let p = try? calc.add(later.after, to: point(anchorRef)) {
            switchAt = instant(p)
        }
        var cycle = 1
        while cycle <= 500 {
            let offset: Offset
            if cycle == 1 {
                offset = rule.due
            } else if rule.repeats, !rule.every.isEmpty {
                if let later = rule.later, let switchAt, base.at >= switchAt {
                    offset = later.every
                } else {
                    offset = rule.every[min(cycle - 2, rule.every.count - 1)]
                }
            } else {
                return
            }
            if cycle > 1, let end = endOfCycle, end <= base.at { return }
            let due: (Instant, LocalDate, Bool)
            do {
                due = try dueMoment(offset, from: base, rule: rule, calc: calc)
            } catch {
                out.append(Deadline(ruleIndex: i, ruleID: rule.id, cycle: cycle, state: .cannotCompute(reason: error.description)))
                return
            }
            var met: Int32?
            var seen = 0
            let first = upperBound(chain.met, window)
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
                if met == nil || index.events[Int(p)].at < index.events[Int(met!)].at { moot = p }
            }
            if let met, moot == nil { chain.consumed?.insert(met) }
            out.append(Deadline(ruleIndex: i, ruleID: rule.id, cycle: cycle, state: .computed(.init(
                anchor: base, offset: offset, dueInstant: due.0, dueDate: due.1, isExact: due.2,
                met: moot == nil ? met.map { ref(index, $0) } : nil, moot: moot.map { ref(index, $0) }))))
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
    private func sameDayDateOnly(_ met: ArraySlice<Int32>, before end: Int, anchor: Int32, _ index: CaseIndex) -> [Int32] {
        let a = index.events[Int(anchor)]
        guard !a.dateOnly, end > met.startIndex else { return [] }
        let day = ruleSet.zone.localDate(at: a.at)
        var out: [Int32] = []
        var i = end
        while i > met.startIndex {
            let e = index.events[Int(met[i - 1])]
            guard ruleSet.zone.localDate(at: e.at) == day else { break }
            if e.dateOnly { out.append(met[i - 1]) }
            i -= 1
        }
        return out.isEmpty ? out : Array(out.reversed())
    }

    /// The first index of a sorted slice whose value is greater than `value`.
    @inline(__always)
    private func upperBound(_ slice: ArraySlice<Int32>, _ value: Int32) -> Int {
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
