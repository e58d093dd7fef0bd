import PermanenceCore

/// The timeline of one evaluated case, as text or JSON.
struct CaseReport {
    let ruleSet: RuleSet
    let evaluation: CaseEvaluation
    let now: Instant

    private var zone: ZoneRules { ruleSet.zone }
    /// The calculator `rule`'s deadlines were computed with (statutory or the council's working days).
    private func calc(_ rule: Rule) -> DateCalculator? { ruleSet.calculator(for: rule, calendar: evaluation.caseRecord.calendar) }

    private func when(_ e: CaseEvent) -> String {
        e.dateOnly ? "\(zone.localDate(at: e.at))" : zone.humanDateTime(e.at)
    }

    private func when(_ e: Deadline.EventRef) -> String {
        e.dateOnly ? "\(zone.localDate(at: e.at))" : zone.humanDateTime(e.at)
    }

    private func due(_ c: Deadline.Computed) -> String {
        c.isExact ? zone.iso8601(c.dueInstant) : c.dueDate.description
    }

    /// Rules that would apply to this case but an override switched off.
    private func switchedOff() -> [Rule] {
        let c = evaluation.caseRecord
        return ruleSet.switchedOffRules(plan: c.plan, calendar: c.calendar, packs: c.packs)
    }

    /// The packs whose rules apply to this case, in pack order.
    private func packs() -> [String] {
        let used = Set(evaluation.deadlines.map { ruleSet.rules[$0.ruleIndex].pack })
        return ruleSet.packs.map(\.id).filter(used.contains)
    }

    func text() -> String {
        let c = evaluation.caseRecord
        var lines: [String] = []
        let initials = c.initials.map { " (\($0))" } ?? ""
        lines.append("Case \(c.reference)\(initials) · plan \(c.plan.isEmpty ? "unknown" : c.plan) · calendar \(c.calendar) · at \(zone.iso8601(now))")
        lines.append("Packs: \(packs().joined(separator: ", "))")
        for r in switchedOff() {
            lines.append("Switched off: \(r.id) (\(r.title)), by \(r.origin("enabled")): this case is not tracked for it")
        }
        if !c.assignments.isEmpty {
            lines.append("Workers: " + c.assignments.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines += nextActions()
        lines.append("")
        lines.append("Events")
        for e in evaluation.events {
            let future = e.at > now ? "  (future)" : ""
            lines.append("  \(when(e))  \(e.kind)  [\(e.id)]\(future)\(e.note.map { "  \($0)" } ?? "")")
        }
        for (e, reason) in evaluation.ignoredEvents {
            lines.append("  \(when(e))  \(e.kind)  [\(e.id)]  not counted: \(reason)")
        }
        if evaluation.events.isEmpty && evaluation.ignoredEvents.isEmpty { lines.append("  (none)") }
        lines.append("")
        lines.append("Deadlines")
        let order: [DeadlineStatus] = [
            .cannotCompute, .overdue, .due, .upcoming, .tooEarly, .missed, .notYet, .permitted, .metLate, .metOnTime, .notNeeded, .waiting,
        ]
        let sorted = evaluation.deadlines.sorted { a, b in
            let sa = order.firstIndex(of: a.status(at: now, zone: zone))!
            let sb = order.firstIndex(of: b.status(at: now, zone: zone))!
            if sa != sb { return sa < sb }
            return (a.computed?.dueInstant ?? .distantFuture) < (b.computed?.dueInstant ?? .distantFuture)
        }
        // Stages not started yet are one line per event that would start them, not a row each: nothing is
        // wrong with them and nobody needs to act.
        var waiting: [(event: String, rules: [String])] = []
        for d in sorted where d.status(at: now, zone: zone) == .waiting {
            let rule = ruleSet.rules[d.ruleIndex]
            let event = rule.anchor.joined(separator: " or ")
            if let i = waiting.firstIndex(where: { $0.event == event }) { waiting[i].rules.append(rule.id) } else { waiting.append((event, [rule.id])) }
        }
        for d in sorted where d.status(at: now, zone: zone) != .waiting {
            let rule = ruleSet.rules[d.ruleIndex]
            let status = d.status(at: now, zone: zone)
            let cycle = d.cycle > 1 ? " #\(d.cycle)" : ""
            lines.append("  \(status.words.uppercased())  \(rule.id)\(cycle): \(rule.title)")
            switch d.state {
            case .cannotCompute(let reason):
                lines.append("      cannot be computed: \(evaluation.reason(reason))")
            case .computed(let comp):
                if let calc = calc(rule) {
                    lines.append("      \(DeadlineExplanation(comp, rule: rule, calculator: calc, evaluation: evaluation).sentence)")
                }
                if let m = comp.met { lines.append("      met by \(evaluation.event(m).kind) [\(evaluation.id(m))] at \(when(m))\(m.at > now ? " (future)" : "")") }
                if let e = comp.earliest { lines.append("      not before \(zone.humanDateTime(e))") }
                if let x = comp.lastExtension {
                    lines.append("      extended \(comp.extensions == 1 ? "once" : "\(comp.extensions) times"), last by \(evaluation.event(x).kind) [\(evaluation.id(x))] at \(when(x))")
                }
                if let m = comp.moot {
                    let why = m.at >= comp.dueInstant ? "missed, then closed by" : "no longer needed:"
                    lines.append("      \(why) \(evaluation.event(m).kind) [\(evaluation.id(m))] at \(when(m))\(m.at > now ? " (future)" : "")")
                }
            }
            if case .cannotCompute = d.state { continue }
            let owner = evaluation.caseRecord.assignments[rule.owner].map { " (\($0))" } ?? " (unassigned)"
            lines.append("      owner \(rule.owner)\(owner) · \(rule.severity.rawValue) · source: \(rule.source)")
        }
        if !waiting.isEmpty {
            lines.append("")
            lines.append("Not started yet (nothing to do until the event that starts each is recorded)")
            for w in waiting { lines.append("  WAITING  for \(w.event): \(w.rules.joined(separator: ", "))") }
        }
        return lines.joined(separator: "\n")
    }

    /// What needs doing, first: the open deadlines in due order (overdue, today, the next four weeks), the
    /// findings someone should look at (missed, too early), and, where one meeting meets several deadlines
    /// with different dates, which date governs (the earliest).
    func nextActions() -> [String] {
        var open: [(Deadline, Deadline.Computed, DeadlineStatus)] = []
        var findings: [String] = []
        let horizon = now.adding(seconds: 28 * 86_400)
        for d in evaluation.deadlines {
            guard let c = d.computed else { continue }
            let s = d.status(at: now, zone: zone)
            let rule = ruleSet.rules[d.ruleIndex]
            if s.isOpen && (s != .upcoming || c.dueInstant <= horizon) { open.append((d, c, s)) }
            if s == .missed, let m = c.moot {
                findings.append("  missed: \(rule.title), due \(due(c)); closed by \(evaluation.event(m).kind) at \(when(m))")
            }
            if s == .tooEarly, let m = c.met {
                findings.append("  \(rule.title): done \(when(m)), before its earliest date \(c.earliest.map(zone.humanDateTime) ?? "")")
            }
        }
        open.sort { $0.1.dueInstant < $1.1.dueInstant }
        var lines: [String] = ["", "Next actions"]
        if open.isEmpty { lines.append("  nothing due in the next four weeks") }
        for (d, c, s) in open {
            let rule = ruleSet.rules[d.ruleIndex]
            let owner = evaluation.caseRecord.assignments[rule.owner].map { "\(rule.owner) \($0)" } ?? "\(rule.owner) (nobody assigned)"
            let when = s == .overdue ? "OVERDUE since \(due(c))" : s == .due ? "DUE TODAY \(due(c))" : "due \(due(c))"
            lines.append("  \(when): \(rule.title) (\(owner))")
        }
        // Open deadlines that the same kind of event meets: one meeting held by the earliest date meets all.
        var byMeeting: [String: [(Rule, Deadline.Computed)]] = [:]
        for (d, c, _) in open {
            let rule = ruleSet.rules[d.ruleIndex]
            byMeeting[rule.metBy.joined(separator: " or "), default: []].append((rule, c))
        }
        for (event, list) in byMeeting.sorted(by: { $0.key < $1.key }) where list.count > 1 && Set(list.map(\.1.dueDate)).count > 1 {
            let first = list.min { $0.1.dueInstant < $1.1.dueInstant }!
            lines.append("  one \(event) by \(due(first.1)) meets \(list.count) of these: \(list.map(\.0.id).joined(separator: ", ")); the earliest date, "
                + "\(first.0.id)'s, governs")
        }
        if !findings.isEmpty {
            lines.append("Findings")
            lines += findings
        }
        return lines
    }

    func json() -> JSON {
        let c = evaluation.caseRecord
        func event(_ e: CaseEvent) -> JSON {
            .object([
                ("id", .string(e.id)), ("event", .string(e.kind)),
                ("at", .string(e.dateOnly ? zone.localDate(at: e.at).description : zone.iso8601(e.at))),
                ("note", .optional(e.note)), ("supersedes", .optional(e.supersedes)),
            ])
        }
        func ref(_ r: Deadline.EventRef?) -> JSON {
            guard let r else { return .null }
            return .object([("id", .string(evaluation.id(r))), ("event", .string(evaluation.event(r).kind)), ("at", .string(zone.iso8601(r.at)))])
        }
        let deadlines: [JSON] = evaluation.deadlines.map { d in
            let rule = ruleSet.rules[d.ruleIndex]
            var pairs: [(String, JSON)] = [
                ("rule", .string(rule.id)), ("title", .string(rule.title)), ("cycle", .int(d.cycle)),
                ("status", .string(d.status(at: now, zone: zone).rawValue)),
                ("status_words", .string(d.status(at: now, zone: zone).words)),
                ("waiting", .bool(d.awaitsAnchor)),
            ]
            switch d.state {
            case .cannotCompute(let reason):
                pairs += [("due", .null), ("reason", .string(evaluation.reason(reason)))]
            case .computed(let comp):
                let explanation = calc(rule).map { DeadlineExplanation(comp, rule: rule, calculator: $0, evaluation: evaluation) }
                pairs += [
                    ("due", .string(due(comp))), ("due_date", .string(comp.dueDate.description)),
                    ("exact", .bool(comp.isExact)), ("anchor", ref(comp.anchor)), ("offset", .string(comp.offset.signedDescription)),
                    ("arithmetic", .optional(explanation?.sentence)),
                    ("steps", .array((explanation?.steps ?? []).map { .string($0.description) })),
                    ("met_by", ref(comp.met)), ("closed_by", ref(comp.moot)),
                    ("kind", .string(comp.kind.rawValue)), ("earliest", .optional(comp.earliest.map(zone.iso8601))),
                    ("extensions", .int(comp.extensions)), ("last_extension", ref(comp.lastExtension)),
                ]
            }
            pairs += [
                ("owner", .string(rule.owner)), ("owner_worker", .optional(c.assignments[rule.owner])),
                ("severity", .string(rule.severity.rawValue)), ("source", .string(rule.source)),
            ]
            return .object(pairs)
        }
        return .object([
            ("case", .string(c.reference)), ("initials", .optional(c.initials)), ("plan", .string(c.plan)),
            ("calendar", .string(c.calendar)), ("at", .string(zone.iso8601(now))),
            ("events", .array(evaluation.events.map(event))),
            ("ignored_events", .array(evaluation.ignoredEvents.map { e, reason in
                .object([("id", .string(e.id)), ("event", .string(e.kind)), ("reason", .string(reason))])
            })),
            ("deadlines", .array(deadlines)),
            ("switched_off", .array(switchedOff().map { r in
                .object([("rule", .string(r.id)), ("title", .string(r.title)), ("by", .string(r.origin("enabled").description))])
            })),
        ])
    }
}
