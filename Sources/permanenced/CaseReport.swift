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

    /// What the statutory packs applying to this case leave out, or nil.
    private func coverageWarning() -> String? {
        let c = evaluation.caseRecord
        return ruleSet.statutoryCoverage(calendar: c.calendar, packs: c.packs).warning
    }

    /// The adoption scorecard's figures, for a child on an adoption plan.
    private func scorecard() -> AdoptionScorecard.Figures? {
        guard AdoptionScorecard.applies(to: evaluation, ruleSet: ruleSet) else { return nil }
        return AdoptionScorecard.figures(evaluation, ruleSet: ruleSet)
    }

    /// For a child still waiting: the days so far and the day a threshold passes.
    private func waiting(from start: LocalDate?, _ threshold: Offset) -> (days: Int, passes: LocalDate)? {
        guard let start else { return nil }
        return (zone.localDate(at: now).dayNumber - start.dayNumber, AdoptionScorecard.adding(threshold, to: start))
    }

    private func scorecardLines() -> [String] {
        guard let f = scorecard() else { return [] }
        let t = ruleSet.configuration.scorecard
        var lines = ["", "Adoption scorecard (A1 and A10 within \(t.a1.phrase), A2 within \(t.a2.phrase), A3 under \(t.a3.phrase))"]
        let dates: [(String, LocalDate?)] = [("entered care", f.enteredCare), ("authority to place", f.authorityToPlace), ("match", f.match),
                                             ("moved in", f.movedIn), ("adopted", f.adopted)]
        lines.append("  " + dates.map { "\($0.0) \($0.1.map { "\($0)" } ?? "-")" }.joined(separator: " · "))
        if f.startNotKnown {
            lines.append("  A1, A10 and A3 cannot be worked out: the period of care began before the data")
        } else if let a1 = f.a1Days, let a10 = f.a10Days {
            let thresholdDays = AdoptionScorecard.adding(t.a1, to: f.enteredCare!).dayNumber - f.enteredCare!.dayNumber
            lines.append("  A1 \(a1) days\(a1 <= thresholdDays ? "" : " (over \(thresholdDays))")")
            lines.append(f.fosterCarerAdoption
                ? "  A10 \(a10) days: a foster carer adoption, counted to the start of the foster placement with the carers (\(f.a10MovedIn.map { "\($0)" } ?? "-"))"
                : "  A10 \(a10) days: the same as A1 (not a foster carer adoption)")
            if let a3 = f.a3Under(t) { lines.append("  A3 moved in under \(t.a3.phrase): \(a3 ? "yes" : "no")") }
        } else if f.adopted == nil, let w = waiting(from: f.enteredCare, t.a1) {
            lines.append("  A1 and A10: waiting to move in, day \(w.days) since entering care; \(t.a1.phrase) pass on \(w.passes)")
        } else if f.adopted != nil {
            lines.append("  A1, A10 and A3 cannot be worked out: no placement for adoption is recorded before the adoption order")
        }
        if let a2 = f.a2Days {
            lines.append("  A2 \(a2) days\(f.match! < f.authorityToPlace! ? " (matched before the authority to place: counted as 0)" : "")")
        } else if f.match == nil, f.movedIn == nil, f.adopted == nil, let w = waiting(from: f.authorityToPlace, t.a2) {
            lines.append("  A2: waiting for a match, day \(w.days) since the authority to place; \(t.a2.phrase) pass on \(w.passes)")
        } else if f.authorityToPlace != nil {
            lines.append("  A2 cannot be worked out: no match is recorded")
        } else {
            lines.append("  A2 does not apply: no placement order (or consent to placement) is recorded")
        }
        return lines
    }

    private func scorecardJSON() -> JSON {
        guard let f = scorecard() else { return .null }
        let t = ruleSet.configuration.scorecard
        func date(_ d: LocalDate?) -> JSON { .optional(d.map { "\($0)" }) }
        func int(_ i: Int?) -> JSON { i.map { .int($0) } ?? .null }
        let a1Wait = f.movedIn == nil && f.adopted == nil ? waiting(from: f.enteredCare, t.a1) : nil
        let a2Wait = f.match == nil && f.movedIn == nil && f.adopted == nil ? waiting(from: f.authorityToPlace, t.a2) : nil
        return .object([
            ("entered_care", date(f.enteredCare)), ("start_not_known", .bool(f.startNotKnown)), ("authority_to_place", date(f.authorityToPlace)),
            ("match", date(f.match)), ("moved_in", date(f.movedIn)), ("adopted", date(f.adopted)),
            ("foster_carer_adoption", .bool(f.fosterCarerAdoption)), ("a10_counts_to", date(f.a10MovedIn)),
            ("a1_days", int(f.a1Days)), ("a10_days", int(f.a10Days)), ("a2_days", int(f.a2Days)),
            ("a3_under_threshold", f.a3Under(t).map { .bool($0) } ?? .null),
            ("a1_days_so_far", int(a1Wait?.days)), ("a1_passes_on", date(a1Wait?.passes)),
            ("a2_days_so_far", int(a2Wait?.days)), ("a2_passes_on", date(a2Wait?.passes)),
            ("thresholds", .object([("a1", .string("\(t.a1)")), ("a2", .string("\(t.a2)")), ("a3", .string("\(t.a3)"))])),
        ])
    }

    /// Markers of a period of care that began before the data (`start-unknown` kinds).
    private func unknownStarts() -> [CaseEvent] {
        UnknownStarts.find(in: evaluation, ruleSet: ruleSet)
    }

    /// Events that meet nothing where they were recorded (a review while not looked after).
    private func uncountedEvents() -> [UncountedEvent] {
        UncountedEvents(ruleSet: ruleSet).find(in: evaluation)
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
        // The nation's law not (or not all) tracked for this case: said here, not only in `status`.
        if let warning = coverageWarning() { lines.append("Warning: \(warning)") }
        let incomplete = IncompleteData.find(in: evaluation, ruleSet: ruleSet)
        for f in incomplete {
            lines.append("Incomplete data: on \(zone.localDate(at: f.event.at)) the import set aside \(f.event.note ?? "a fact") [\(f.event.id)]; "
                + "the deadlines of that period of care rest on it")
        }
        for e in unknownStarts() {
            lines.append("Not known: the period of care open on \(zone.localDate(at: e.at)) began before the data ([\(e.id)]); "
                + "what counts from its start is shown as cannot be worked out until the day the child came into care is recorded")
        }
        for r in switchedOff() {
            lines.append("Switched off: \(r.id) (\(r.title)), by \(r.origin("enabled")): this case is not tracked for it")
        }
        if !c.assignments.isEmpty {
            lines.append("Workers: " + c.assignments.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines += nextActions()
        lines += scorecardLines()
        lines.append("")
        lines.append("Events")
        let uncounted = Dictionary(uncountedEvents().map { ($0.event.id, $0.reason) }, uniquingKeysWith: { a, _ in a })
        for e in evaluation.events {
            let future = e.at > now ? "  (future)" : ""
            lines.append("  \(when(e))  \(e.kind)  [\(e.id)]\(future)\(e.note.map { "  \($0)" } ?? "")")
            if let why = uncounted[e.id] { lines.append("      counts for nothing: \(why)") }
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
            let event = ruleSet.startingEvents(ofRule: d.ruleIndex).joined(separator: " or ")
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
                if let m = comp.met {
                    // Done before its earliest date is not "met": it is a finding.
                    let verb = status == .tooEarly ? "done too early:" : "met by"
                    lines.append("      \(verb) \(evaluation.event(m).kind) [\(evaluation.id(m))] at \(when(m))\(m.at > now ? " (future)" : "")")
                }
                if let e = comp.earliest { lines.append("      not before \(zone.humanDateTime(e))") }
                for f in incomplete where f.covers(anchor: comp.anchor.at, due: comp.dueInstant) {
                    lines.append("      rests on incomplete data: [\(f.event.id)] set aside on \(zone.localDate(at: f.event.at))")
                }
                if let x = comp.lastExtension {
                    lines.append("      extended \(comp.extensionsInWords), last by \(evaluation.event(x).kind) [\(evaluation.id(x))] at \(when(x))")
                }
                if let m = comp.moot {
                    // An event booked ahead (a planned move) has not closed anything yet: until it happens the
                    // deadline stands, and only once it is past the due date with nothing done is it missed.
                    let kind = evaluation.event(m).kind
                    let what = "\(kind) [\(evaluation.id(m))] at \(when(m))"
                    if m.at > now {
                        lines.append("      will end with \(what) (future)")
                    } else {
                        let why = m.at >= comp.dueInstant ? "missed, then closed:" : "no longer needed:"
                        lines.append("      \(why) \(ruleSet.vocabulary.closingWords(kind)) (\(what))")
                    }
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
    /// deadlines that cannot be worked out (someone must look at the record), the findings someone should
    /// look at (missed, too early), and, where one meeting meets several deadlines with different dates,
    /// which date governs (the earliest).
    struct Summary {
        struct Action {
            let deadline: Deadline
            let computed: Deadline.Computed
            let status: DeadlineStatus
            let rule: Rule
            let worker: String?
        }
        struct Finding {
            /// `missed` or `too-early`.
            let kind: String
            let rule: Rule
            let computed: Deadline.Computed
            /// The event that closed the deadline (missed) or that came too early.
            let event: Deadline.EventRef
        }
        struct Governs {
            let event: String
            let governing: Action
            let rules: [Rule]
        }
        var actions: [Action] = []
        var cannotCompute: [(rule: Rule, reason: String)] = []
        var findings: [Finding] = []
        var governs: [Governs] = []
    }

    func summary() -> Summary {
        var out = Summary()
        let horizon = now.adding(seconds: 28 * 86_400)
        for d in evaluation.deadlines {
            let rule = ruleSet.rules[d.ruleIndex]
            let s = d.status(at: now, zone: zone)
            if case .cannotCompute(let reason) = d.state, !d.awaitsAnchor {
                out.cannotCompute.append((rule, evaluation.reason(reason)))
            }
            guard let c = d.computed else { continue }
            if s.isOpen && (s != .upcoming || c.dueInstant <= horizon) {
                out.actions.append(.init(deadline: d, computed: c, status: s, rule: rule, worker: evaluation.caseRecord.assignments[rule.owner]))
            }
            if s == .missed, let m = c.moot { out.findings.append(.init(kind: "missed", rule: rule, computed: c, event: m)) }
            if s == .tooEarly, let m = c.met { out.findings.append(.init(kind: "too-early", rule: rule, computed: c, event: m)) }
        }
        out.actions.sort { $0.computed.dueInstant < $1.computed.dueInstant }
        // Open deadlines that the same kind of event meets: one meeting held by the earliest date meets all.
        var byMeeting: [String: [Summary.Action]] = [:]
        for a in out.actions { byMeeting[a.rule.metBy.joined(separator: " or "), default: []].append(a) }
        for (event, list) in byMeeting.sorted(by: { $0.key < $1.key }) where list.count > 1 && Set(list.map(\.computed.dueDate)).count > 1 {
            out.governs.append(.init(event: event, governing: list[0], rules: list.map(\.rule)))
        }
        return out
    }

    func nextActions() -> [String] {
        let summary = summary()
        var lines: [String] = ["", "Next actions"]
        if summary.actions.isEmpty && summary.cannotCompute.isEmpty { lines.append("  nothing due in the next four weeks") }
        for r in summary.cannotCompute {
            lines.append("  CANNOT BE WORKED OUT: \(r.rule.title): \(r.reason)")
        }
        for a in summary.actions {
            let owner = a.worker.map { "\(a.rule.owner) \($0)" } ?? "\(a.rule.owner) (nobody assigned)"
            let c = a.computed
            let when = a.status == .overdue ? "OVERDUE since \(due(c))" : a.status == .due ? "DUE TODAY \(due(c))" : "due \(due(c))"
            lines.append("  \(when): \(a.rule.title) (\(owner))")
        }
        for g in summary.governs {
            let ids = g.rules.map(\.id).joined(separator: ", ")
            let by = g.governing.status == .overdue ? "now (the earliest date, \(due(g.governing.computed)), has passed)" : "by \(due(g.governing.computed))"
            lines.append("  one \(g.event) \(by) meets \(g.rules.count) of these: \(ids); the earliest date, \(g.governing.rule.id)'s, governs")
        }
        if !summary.findings.isEmpty {
            lines.append("Findings")
            for f in summary.findings {
                let c = f.computed
                if f.kind == "missed" {
                    let kind = evaluation.event(f.event).kind
                    lines.append("  missed: \(f.rule.title), due \(due(c)); then \(ruleSet.vocabulary.closingWords(kind)) (\(kind) at \(when(f.event)))")
                } else {
                    lines.append("  \(f.rule.title): done \(when(f.event)), before its earliest date \(c.earliest.map(zone.humanDateTime) ?? "")")
                }
            }
        }
        return lines
    }

    /// The summary as JSON: the same lists `nextActions` prints.
    private func summaryJSON(_ ref: (Deadline.EventRef?) -> JSON) -> JSON {
        let summary = summary()
        return .object([
            ("actions", .array(summary.actions.map { a in
                .object([
                    ("rule", .string(a.rule.id)), ("cycle", .int(a.deadline.cycle)), ("status", .string(a.status.rawValue)),
                    ("due", .string(due(a.computed))), ("owner", .string(a.rule.owner)), ("owner_worker", .optional(a.worker)),
                ])
            })),
            ("cannot_compute", .array(summary.cannotCompute.map { r in .object([("rule", .string(r.rule.id)), ("reason", .string(r.reason))]) })),
            ("governs", .array(summary.governs.map { g in
                .object([
                    ("met_by", .string(g.event)), ("rule", .string(g.governing.rule.id)), ("due", .string(due(g.governing.computed))),
                    ("rules", .array(g.rules.map { .string($0.id) })),
                ])
            })),
            ("findings", .array(summary.findings.map { f in
                .object([
                    ("finding", .string(f.kind)), ("rule", .string(f.rule.id)), ("due", .string(due(f.computed))),
                    ("earliest", .optional(f.computed.earliest.map(zone.iso8601))), ("event", ref(f.event)),
                    ("closed_words", f.kind == "missed" ? .string(ruleSet.vocabulary.closingWords(evaluation.event(f.event).kind)) : .null),
                ])
            })),
        ])
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
        let incomplete = IncompleteData.find(in: evaluation, ruleSet: ruleSet)
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
                    ("closed_words", .optional(comp.moot.map { ruleSet.vocabulary.closingWords(evaluation.event($0).kind) })),
                    ("kind", .string(comp.kind.rawValue)), ("earliest", .optional(comp.earliest.map(zone.iso8601))),
                    ("extensions", .int(comp.extensions)), ("last_extension", ref(comp.lastExtension)),
                    ("rests_on_incomplete_data", .array(incomplete.filter { $0.covers(anchor: comp.anchor.at, due: comp.dueInstant) }.map { .string($0.event.id) })),
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
            ("statutory_warning", .optional(coverageWarning())),
            ("events", .array(evaluation.events.map(event))),
            ("ignored_events", .array(evaluation.ignoredEvents.map { e, reason in
                .object([("id", .string(e.id)), ("event", .string(e.kind)), ("reason", .string(reason))])
            })),
            ("incomplete_data", .array(incomplete.map { f in
                .object([("id", .string(f.event.id)), ("on", .string(zone.localDate(at: f.event.at).description)), ("note", .optional(f.event.note))])
            })),
            ("unknown_starts", .array(unknownStarts().map { e in
                .object([("id", .string(e.id)), ("event", .string(e.kind)), ("open_on", .string(zone.localDate(at: e.at).description))])
            })),
            ("uncounted_events", .array(uncountedEvents().map { u in
                .object([
                    ("id", .string(u.event.id)), ("event", .string(u.event.kind)),
                    ("at", .string(u.event.dateOnly ? zone.localDate(at: u.event.at).description : zone.iso8601(u.event.at))),
                    ("reason", .string(u.reason)),
                ])
            })),
            ("next_actions", summaryJSON(ref)),
            ("scorecard", scorecardJSON()),
            ("deadlines", .array(deadlines)),
            ("switched_off", .array(switchedOff().map { r in
                .object([("rule", .string(r.id)), ("title", .string(r.title)), ("by", .string(r.origin("enabled").description))])
            })),
        ])
    }
}
