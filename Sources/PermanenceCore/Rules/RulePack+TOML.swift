import TOML

extension RulePack {
    /// Whether a file's text is a pack (has a `[pack]` table), not only overrides; true for text that is not
    /// TOML, whose problem the load itself reports.
    public static func declaresPack(_ text: String) -> Bool {
        guard let t = try? TOMLParser.parse(text) else { return true }
        return t["pack"] != nil
    }

    /// Decodes a rule pack from TOML text. Every problem is added to `diagnostics`; a pack is returned
    /// whenever its `[pack]` table could be read, so cross-checks can still run on the rest.
    /// The file's `[override.ID]` tables are added to `overrides`; a file of overrides alone has no pack.
    static func decode(file: String, text: String, diagnostics: Diagnostics, overrides: inout [RuleOverride]) -> RulePack? {
        guard var top = TableReader.root(file: file, text: text, diagnostics: diagnostics) else { return nil }
        let root = top.table
        overrides += RuleOverride.decodeAll(&top)
        if !root.keys.contains("pack") && root.keys.contains("override") {
            for k in root.keys where k != "override" {
                diagnostics.report(file, root[k]!.line, k, "a file of overrides holds only [override.RULE-ID] tables; rules belong in a pack, which starts with a [pack] table")
            }
            return nil
        }
        guard var header = top.table("pack") else {
            diagnostics.report(file, 1, "pack", "missing; a rule pack starts with a [pack] table naming its id and source (a file that changes rules of other packs holds [override.RULE-ID] tables)")
            return nil
        }
        let id = header.string("id", required: true) ?? ""
        let title = header.string("title", required: true) ?? id
        let source = header.string("source", required: true) ?? ""
        let plans = header.strings("plans").map(\.0)
        let calendars = header.strings("calendars").map(\.0)
        var nations: [Jurisdiction] = []
        for (n, line) in header.strings("nations") {
            if let j = Jurisdiction(rawValue: n) {
                nations.append(j)
            } else {
                header.report("nations", line, "'\(n)' is not one of \(Jurisdiction.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let statutory = header.bool("statutory") ?? false
        let gaps = header.string("gaps")
        let ssda903 = header.bool("ssda903") ?? false
        // A statutory pack counts working days as its regulations define them unless it says otherwise.
        let workingDays = Self.workingDays(&header) ?? (statutory ? .statutory : .local)
        header.finish()

        var rules: [Rule] = []
        for var r in top.tables("rule", name: { t, i in
            if case .string(let s)? = t["id"]?.value { return "rule.\(s)" }
            return "rule[\(i + 1)]"
        }) {
            if let rule = decodeRule(&r, pack: id, packSource: source, plans: plans, calendars: calendars, workingDays: workingDays) {
                rules.append(rule)
            }
            r.finish()
        }
        top.finish()
        if rules.isEmpty && !root.keys.contains("rule") {
            diagnostics.report(file, root.line, "rule", "the pack has no [[rule]] tables")
        }
        var pack = RulePack(id: id, title: title, source: source, rules: rules, nations: nations, statutory: statutory, gaps: gaps, file: file, line: header.line)
        pack.ssda903 = ssda903
        return pack
    }

    /// `working-days = "statutory" | "local"`, if given (and valid).
    private static func workingDays(_ t: inout TableReader) -> WorkingDays? {
        guard let s = t.string("working-days") else { return nil }
        if let w = WorkingDays(rawValue: s) { return w }
        t.report("working-days", t.lineOf("working-days"),
            "'\(s)' is not one of \(WorkingDays.allCases.map(\.rawValue).joined(separator: ", ")) (statutory: weekends and bank holidays only; local: the council's calendar with its closures)")
        return nil
    }

    /// A key with two values: true for `on`, false for `off` or absent (any other value is reported).
    private static func either(_ t: inout TableReader, _ key: String, off: String, on: String) -> Bool {
        guard let v = t.string(key) else { return false }
        if v != on && v != off { t.report(key, t.lineOf(key), "'\(v)' is not one of \(off), \(on)") }
        return v == on
    }

    private static func decodeRule(
        _ r: inout TableReader, pack: String, packSource: String, plans: [String], calendars: [String], workingDays packWorkingDays: WorkingDays
    ) -> Rule? {
        let id = r.string("id", required: true)
        if let id {
            if let first = r.diagnostics.ruleIDs[id] {
                r.report("id", r.lineOf("id"), "duplicate rule id; first defined in \(first)")
            } else {
                r.diagnostics.ruleIDs[id] = "\(r.file):\(r.lineOf("id"))"
            }
        }
        if let id, !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            r.report("id", r.lineOf("id"), "'\(id)' may contain only letters, digits, '-' and '_'")
        }
        let title = r.string("title", required: true)
        let action = r.string("action")
        let source = r.string("source") ?? packSource
        let covers = r.strings("covers").map(\.0)
        let hasPlans = r.has("plans")
        let hasCalendars = r.has("calendars")
        let ownPlans = r.strings("plans").map(\.0)
        let ownCalendars = r.strings("calendars").map(\.0)
        let rulePlans = hasPlans ? ownPlans : plans
        let ruleCalendars = hasCalendars ? ownCalendars : calendars
        let workingDays = Self.workingDays(&r) ?? packWorkingDays
        let scope = r.string("scope")
        let scopeTypes = r.strings("scope-types").map(\.0)
        let scopeExcept = r.strings("scope-except").map(\.0)
        if !scopeExcept.isEmpty && scope == nil {
            r.report("scope-except", r.lineOf("scope-except"), "scope-except narrows a scope: set scope too, e.g. scope = \"placement\"")
        }
        let suspendedIn = r.strings("suspended-in").map(\.0)
        if !scopeTypes.isEmpty && scope == nil {
            r.report("scope-types", r.lineOf("scope-types"), "scope-types narrows a scope: set scope too, e.g. scope = \"placement\"")
        }
        // A scoped rule counts from the start of its period unless it names another anchor.
        let anchor = r.strings("anchor", required: scope == nil).map(\.0)
        let anchorExcept = r.strings("anchor-except").map(\.0)
        let onlyIf = r.strings("only-if").map(\.0)
        let mootIfBeforeAnchor = r.bool("moot-if-before-anchor") ?? false
        let resumeContinues = Self.either(&r, "resume", off: "restart", on: "continue")
        // met-from: after the anchor (the default), from the start of the period, or also before the period
        // (since the previous period of the scope ended).
        var metFromPeriodStart = false
        var metFromBeforePeriod = false
        if let v = r.string("met-from") {
            switch v {
            case "anchor": break
            case "period-start": metFromPeriodStart = true
            case "before-period": metFromPeriodStart = true; metFromBeforePeriod = true
            default: r.report("met-from", r.lineOf("met-from"), "'\(v)' is not one of anchor, period-start, before-period")
            }
        }
        var occurrence = AnchorOccurrence.only
        if let s = r.string("anchor-occurrence") {
            if let o = AnchorOccurrence(rawValue: s) {
                occurrence = o
            } else {
                r.report("anchor-occurrence", r.lineOf("anchor-occurrence"),
                    "'\(s)' is not one of \(AnchorOccurrence.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let earliest = r.offset("earliest")
        let due = r.offset("due", required: earliest == nil)
        let kind: TimescaleKind = earliest == nil ? .by : (r.has("due") ? .window : .notBefore)
        if let earliest, earliest.amount < 0 {
            r.report("earliest", r.lineOf("earliest"), "an earliest date comes after its anchor; write a positive offset")
        }
        var extend: Extension?
        if var x = r.table("extend") {
            let on = x.strings("on", required: true).map(\.0)
            let times = x.integer("times", in: 1...100)
            let afterDue = x.bool("after-due") ?? true
            if let by = x.offset("by", required: true) {
                if by.amount <= 0 { x.report("by", x.lineOf("by"), "an extension moves the deadline later; write a positive offset") }
                extend = Extension(on: on, by: by, times: times, afterDue: afterDue)
            }
            x.finish()
        }
        var dueTime: DueTime?
        if let s = r.string("due-time") {
            switch s {
            case "exact": dueTime = .exact
            case "end-of-day": dueTime = .endOfDay
            default:
                if let t = parseClockTime(s) {
                    dueTime = .at(secondOfDay: t)
                } else {
                    r.report("due-time", r.lineOf("due-time"), "'\(s)' is not exact, end-of-day or a time HH:MM")
                }
            }
        }
        let metBy = r.strings("met-by", required: true).map(\.0)
        let nth = r.integer("met-by-nth", in: 1...20) ?? 1
        let moot = r.strings("moot-if").map(\.0)
        var recurrence: Recurrence?
        // Where each change's `when` was written, by the key its problems are reported under.
        var whenLines: [(String, Int)] = []
        if var rep = r.table("repeat") {
            let every = rep.offsets("every")
            if every.isEmpty && !rep.has("every") {
                rep.report("every", rep.line, "missing; list the intervals, e.g. every = [\"3mo\", \"6mo\"]")
            }
            for o in every where o.amount <= 0 {
                rep.report("every", rep.lineOf("every"), "intervals must be positive, found '\(o)'")
            }
            let until = rep.strings("until").map(\.0)
            // later: one change of interval, or a list of them (the last that holds gives the interval).
            // after: once this long has passed since the anchor; when: once one of these events has
            // happened; both: once both hold (3-monthly visits after a year, where the placement is
            // intended to last until 18).
            var changes: [IntervalChange] = []
            let laterKey = rep.key("later")
            let rulePrefix = r.key("").count
            for var l in rep.tableOrTables("later", name: { _, i in "\(laterKey)[\(i + 1)]" }) {
                let when = l.strings("when").map(\.0)
                let after = l.offset("after", required: when.isEmpty)
                if let e = l.offset("every", required: true), after != nil || !when.isEmpty {
                    if e.amount <= 0 { l.report("every", l.lineOf("every"), "intervals must be positive, found '\(e)'") }
                    changes.append(IntervalChange(after: after, when: when, every: e))
                    whenLines.append((String(l.key("when").dropFirst(rulePrefix)), l.lineOf("when")))
                }
                l.finish()
            }
            // later-choice = "latest-event": of the changes that name events, the one recorded last by the day
            // the deadline's clock starts gives the interval (a review frequency agreed, then agreed again).
            var latestEventWins = false
            if let choice = rep.string("later-choice") {
                switch choice {
                case "latest-event": latestEventWins = true
                case "last-listed": break
                default: rep.report("later-choice", rep.lineOf("later-choice"), "expected \"last-listed\" (the default) or \"latest-event\", found '\(choice)'")
                }
                if latestEventWins, changes.contains(where: { $0.after != nil || $0.when.isEmpty }) {
                    rep.report("later-choice", rep.lineOf("later-choice"), "\"latest-event\" chooses between changes by their events: give each change `when` and no `after`")
                }
            }
            rep.finish()
            recurrence = Recurrence(every: every, until: until, changes: changes, latestEventWins: latestEventWins)
        }
        let remind = r.leadTimes()
        let escalate = r.escalationLadder()
        let owner = r.string("owner", required: true)
        let copy = r.strings("copy").map(\.0)
        let severity = r.severity() ?? .routine
        // A rule with a bad value is still returned (with a placeholder) so its references are checked in the
        // same run; the load fails anyway because the problem was reported.
        guard let id, let title, let owner else { return nil }
        var rule = Rule(
            id: id, title: title, action: action, pack: pack, source: source, covers: covers, plans: rulePlans,
            calendars: ruleCalendars, workingDays: workingDays, scope: scope, scopeTypes: scopeTypes, scopeExcept: scopeExcept, suspendedIn: suspendedIn,
            kind: kind, earliest: earliest, extend: extend, anchor: anchor, anchorOccurrence: occurrence, due: due ?? earliest ?? Offset(0, .days), dueTime: dueTime,
            metBy: metBy, metByNth: nth, mootIf: moot, recurrence: recurrence, remind: remind, escalate: escalate,
            owner: owner, copy: copy, severity: severity, file: r.file, line: r.line)
        rule.anchorExcept = anchorExcept
        rule.onlyIf = onlyIf
        rule.metFromPeriodStart = metFromPeriodStart
        rule.metFromBeforePeriod = metFromBeforePeriod
        rule.mootIfBeforeAnchor = mootIfBeforeAnchor
        rule.resumeContinues = resumeContinues
        for k in r.table.keys {
            rule.keyLines[k] = r.lineOf(k)
            rule.written[k] = r.table[k]!.value
        }
        // The events of `later` are checked against the vocabulary after parsing: each at its own line.
        for (k, line) in whenLines { rule.keyLines[k] = line }
        rule.changeKeys = whenLines.map(\.0)
        return rule
    }
}

/// The keys a rule and an override of it share.
extension TableReader {
    /// `remind`: lead times before the deadline, each positive.
    mutating func leadTimes() -> [Offset] {
        let remind = offsets("remind")
        for o in remind where o.amount <= 0 {
            report("remind", lineOf("remind"), "lead times are written as positive offsets before the deadline, found '\(o)'")
        }
        return remind
    }

    /// `escalate`: the rungs of the ladder, each with `after` (not negative) and `notify`.
    mutating func escalationLadder() -> [Escalation] {
        var ladder: [Escalation] = []
        let escalateKey = key("escalate")
        for var e in tables("escalate", name: { _, i in "\(escalateKey)[\(i + 1)]" }) {
            let after = e.offset("after", required: true)
            let roles = e.strings("notify", required: true).map(\.0)
            if let after {
                if after.amount < 0 { e.report("after", e.lineOf("after"), "an escalation comes after the deadline; write a positive offset") }
                ladder.append(Escalation(after: after, roles: roles))
            }
            e.finish()
        }
        return ladder
    }

    /// `severity`, if given and valid.
    mutating func severity() -> Severity? {
        guard let s = string("severity") else { return nil }
        if let v = Severity(rawValue: s) { return v }
        report("severity", lineOf("severity"), "'\(s)' is not one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
        return nil
    }
}

/// `HH:MM` as seconds since midnight.
func parseClockTime(_ s: String) -> Int? {
    let parts = s.split(separator: ":")
    guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
        (0...23).contains(h), (0...59).contains(m)
    else { return nil }
    return h * 3600 + m * 60
}
