import Synchronization

/// A file's path and text, read by the caller (the core does no I/O).
public struct SourceFile: Sendable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// Configuration, vocabulary, rule packs, calendars and zone, checked against each other and compiled
/// for evaluation. Only a fully valid set can be built, so a running daemon never holds a half-valid one.
public struct RuleSet: Sendable {
    public let configuration: Configuration
    public let vocabulary: Vocabulary
    public let packs: [RulePack]
    /// Every rule of every pack, in pack order (not those an override switched off: see `RulePack.disabled`).
    public let rules: [Rule]
    /// Problems that did not stop the load, each with file and line: `check-config` prints them and the
    /// daemon logs them at every load.
    public let warnings: [ConfigIssue]
    public let zone: ZoneRules
    /// Working calendars by name: the nation's bank holidays with the authority's closures and changes.
    public let calendars: [String: WorkingCalendar]
    /// The same calendars as statutory timescales count working days: weekends and the nation's bank holidays
    /// (with any by proclamation) only, never the authority's closures (CPPCR 2010 reg 2(1), "working day").
    public let statutoryCalendars: [String: WorkingCalendar]
    /// The calculators of each calendar, made once: one look-up per case finds both.
    let calculators: [String: Calculators]

    /// A calendar's two calculators: the council's working days, and the statutory ones.
    struct Calculators: Sendable {
        let local: DateCalculator
        let statutory: DateCalculator
    }
    /// Whose law governs the cases of each calendar.
    public let jurisdictions: [String: Jurisdiction]
    /// SHA-256 of everything deadlines depend on (vocabulary, packs, zone, calendars): when it changes,
    /// stored deadlines must be recomputed.
    public let fingerprint: String

    /// Event kind name to its index.
    let eventIndex: [String: Int]
    /// The same, for the evaluator's per-event lookups.
    let kindTable: KindTable
    /// For each event kind, the kinds it counts as (itself first), then the `KindGroups` it belongs to.
    let expansions: KindExpansions
    let compiled: [CompiledRule]
    /// The same rules, for the evaluator to borrow without taking a reference count on each. Sound because
    /// `compiled` keeps every one alive as long as the rule set, and both are constants set together: a rule
    /// set outlives each evaluation made with it.
    let unretainedRules: [Unmanaged<CompiledRule>]
    /// Each rule's reason while its anchor is not recorded (`Deadline.Reason`), by rule index.
    let missingAnchorReasons: [String]
    /// The vocabulary's period kinds, with event names resolved.
    let periods: [CompiledPeriod]
    /// Event kinds that mark a period begun on a day not in the data (`start-unknown = true`), and their slot
    /// (one look-up tells whether a case has any).
    let startUnknownKinds: [Int]
    let startUnknownSlot: [Int]
    /// Each role with a stand-in (`[stand-ins]`), and the roles that stand in for it, nearest first: the
    /// evaluator fills empty roles from these for every case, without walking the vocabulary's dictionary.
    let standInChains: [(role: String, chain: [String])]

    /// Parses the main configuration file on its own (to learn the zone and file locations first).
    public static func parseConfiguration(_ file: SourceFile) throws(ConfigErrors) -> Configuration {
        let d = Diagnostics()
        guard let c = Configuration.decode(file: file.path, text: file.text, diagnostics: d), d.issues.isEmpty else {
            throw ConfigErrors(d.issues)
        }
        return c
    }

    /// Builds and cross-checks the whole set; throws every problem found, each with file, line and key.
    /// `vocabularyDropIns` (`vocabulary.d/*.toml`, in order) add to the vocabulary, or replace its entries of
    /// the same name.
    public init(
        configuration: Configuration, vocabulary vocabFile: SourceFile, vocabularyDropIns: [SourceFile] = [], packs packFiles: [SourceFile],
        zone: ZoneRules
    ) throws(ConfigErrors) {
        let d = Diagnostics()
        var vocabulary = Vocabulary.decode(file: vocabFile.path, text: vocabFile.text, diagnostics: d)
        for f in vocabularyDropIns {
            if let extra = Vocabulary.decode(file: f.path, text: f.text, diagnostics: d, dropIn: true) { vocabulary?.merge(extra) }
        }
        vocabulary?.validate(d)
        var packs: [RulePack] = []
        var overrides: [RuleOverride] = []
        for f in packFiles {
            if let p = RulePack.decode(file: f.path, text: f.text, diagnostics: d, overrides: &overrides) { packs.append(p) }
        }
        RuleSet.apply(overrides, to: &packs, d)
        if packFiles.isEmpty {
            d.report(configuration.file, configuration.keyLines["rules"] ?? 1, "rules", "no rule packs found in '\(configuration.rulesDirectory)'")
        }
        guard let vocabulary else { throw ConfigErrors(d.issues) }
        RuleSet.crossCheck(configuration, vocabulary, packs, d)
        guard d.issues.isEmpty else { throw ConfigErrors(d.issues) }
        for i in packs.indices {
            packs[i].disabled = packs[i].rules.filter { !$0.enabled }
            packs[i].rules.removeAll { !$0.enabled }
        }
        RuleSet.warnEndless(packs, vocabulary, d)
        RuleSet.warnScorecard(packs, configuration, d)
        if let r = configuration.email.teamReport, r.weekday >= 6 {
            // Not an error (it is what the admin wrote), but never what it says: say so.
            d.warn(SourceLocation(file: configuration.file, line: configuration.keyLines["email"] ?? 1), "email.team-report",
                   "a report on a \(r.weekday == 6 ? "Saturday" : "Sunday") goes on the next working day (Monday, or Tuesday after a bank holiday); write \"monday HH:MM\" to say so")
        }
        self.warnings = d.warnings

        self.configuration = configuration
        self.vocabulary = vocabulary
        self.standInChains = vocabulary.standIns.keys.sorted().map { role in
            var chain: [String] = []
            var by = vocabulary.standIns[role]
            while let b = by, chain.count < vocabulary.standIns.count {
                chain.append(b)
                by = vocabulary.standIns[b]
            }
            return (role, chain)
        }
        self.packs = packs
        self.rules = packs.flatMap(\.rules)
        self.zone = zone
        var calendars: [String: WorkingCalendar] = [:]
        var statutory: [String: WorkingCalendar] = [:]
        var calculators: [String: Calculators] = [:]
        for c in configuration.calendars {
            let local = WorkingCalendar(name: c.name, nation: c.nation, adjustments: c.adjustments)
            let statutoryDays = WorkingCalendar(name: c.name, nation: c.nation, adjustments: c.adjustments.statutory)
            calendars[c.name] = local
            statutory[c.name] = statutoryDays
            calculators[c.name] = Calculators(local: DateCalculator(zone: zone, calendar: local),
                                              statutory: DateCalculator(zone: zone, calendar: statutoryDays))
        }
        self.calendars = calendars
        self.statutoryCalendars = statutory
        self.calculators = calculators
        self.jurisdictions = Dictionary(configuration.calendars.map { ($0.name, $0.jurisdiction) }, uniquingKeysWith: { $1 })
        var digest = SHA256()
        // Content only, never paths: the same rules reached through another path (a relative --config, a
        // symlink) are the same rules. The zone counts by its rules as loaded (the tzdata they came from),
        // not just its name.
        digest.update(vocabFile.text)
        for f in vocabularyDropIns { digest.update("\u{0}vocabulary.d/\(f.path.split(separator: "/").last ?? "")\u{0}\(f.text)") }
        // Each file by name (not path) and in load order: overrides apply in file-name order, so renaming one
        // can change which value wins.
        for f in packFiles { digest.update("\u{0}\(f.path.split(separator: "/").last ?? "")\u{0}\(f.text)") }
        digest.update("\u{0}\(zone.identifier)|\(zone.source)|\(zone.transitions)|\(zone.periods.map { "\($0.offset)\($0.abbreviation)\($0.isDST)" })")
        digest.update("|\(configuration.defaultCalendar)|\(configuration.defaultPacks)")
        for c in configuration.calendars { digest.update("|\(c.name):\(c.nation.rawValue):\(c.jurisdiction.rawValue):\(c.adjustments)") }
        self.fingerprint = digest.finalizeHex()
        var index: [String: Int] = [:]
        for (i, e) in vocabulary.events.enumerated() { index[e.name] = i }
        self.eventIndex = index
        self.kindTable = KindTable(vocabulary.events.map(\.name))
        var expansions: [[Int]] = []
        for e in vocabulary.events {
            var seen = [index[e.name]!]
            var queue = e.countsAs
            while let next = queue.popLast() {
                guard let k = index[next], !seen.contains(k) else { continue }
                seen.append(k)
                queue.append(contentsOf: vocabulary.events[k].countsAs)
            }
            expansions.append(seen)
        }
        var groups = KindGroups(kinds: expansions.count)
        let periodIndex = Dictionary(vocabulary.periods.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.periods = vocabulary.periods.map { p in
            CompiledPeriod(name: p.name, starts: groups.slot(p.starts.compactMap { index[$0] }),
                ends: groups.slot(p.ends.compactMap { index[$0] }), restarts: p.restarts)
        }
        startUnknownKinds = vocabulary.events.indices.filter { vocabulary.events[$0].startUnknown }
        startUnknownSlot = groups.slot(startUnknownKinds)
        // The events a person records to start a period (not the marker of a start the data does not give).
        let periodStarts = Dictionary(vocabulary.periods.map { p in (p.name, p.starts.filter { vocabulary.event($0)?.startUnknown != true }) },
                                      uniquingKeysWith: { a, _ in a })
        self.compiled = rules.map { CompiledRule($0, index, periodIndex, periodStarts, &groups) }
        self.unretainedRules = compiled.map { Unmanaged.passUnretained($0) }
        missingAnchorReasons = compiled.map(\.missingAnchorReason)
        self.expansions = groups.expand(expansions)
    }

    /// A rule that repeats for the whole case, and that nothing ends when the child stops being looked after,
    /// goes on reminding and escalating after an adoption order or a return home: warned about (it may be
    /// meant, for after-care work, so it is not an error).
    static func warnEndless(_ packs: [RulePack], _ vocabulary: Vocabulary, _ d: Diagnostics) {
        let end = "ceased-looked-after"
        guard vocabulary.event(end) != nil else { return }
        for p in packs {
            for r in p.rules where r.scope == nil && r.recurrence != nil {
                let enders = (r.recurrence?.until ?? []) + r.mootIf
                if enders.contains(end) { continue }
                d.warn(r.origin("repeat"), "rule.\(r.id).repeat.until",
                       "the rule repeats with nothing to end it when the child stops being looked after, so it goes on after an adoption order, "
                       + "a special guardianship order, a return home or the 18th birthday: add \"\(end)\" to repeat.until (each of those counts as it), "
                       + "or scope the rule to a period (scope = \"episode\")")
            }
        }
    }

    /// The adoption scorecard's thresholds are written twice, as `[scorecard]` (for the figures) and as the
    /// adoption-scorecard pack's deadlines: warned about when they differ.
    static func warnScorecard(_ packs: [RulePack], _ configuration: Configuration, _ d: Diagnostics) {
        let thresholds = [("scorecard-a1", "a1", configuration.scorecard.a1), ("scorecard-a2", "a2", configuration.scorecard.a2)]
        for p in packs {
            for r in p.rules {
                guard let (_, key, offset) = thresholds.first(where: { $0.0 == r.id }), r.due != offset else { continue }
                d.warn(r.origin("due"), "rule.\(r.id).due",
                       "\(r.due) differs from [scorecard] \(key) = \"\(offset)\" in \(configuration.file): the deadline and the scorecard's figures would disagree; make them the same")
            }
        }
    }

    /// The events that start rule `i` (index into `rules`): its anchor, or those that start its scope.
    public func startingEvents(ofRule i: Int) -> [String] { compiled[i].startingEvents }

    /// The calculator for a calendar name (nation or configured calendar).
    public func calculator(calendar name: String) -> DateCalculator? {
        calculators[name]?.local
    }

    /// The calculator a rule's deadlines use on a case with calendar `name`: statutory or local working days.
    public func calculator(for rule: Rule, calendar name: String) -> DateCalculator? {
        calculators[name].map { rule.workingDays == .statutory ? $0.statutory : $0.local }
    }

    /// Indices into `rules` of the rules that apply to a case: those of its packs (or the default packs), for
    /// its plan (every plan when the plan is empty) and its calendar or that calendar's nation.
    public func applicableRules(plan: String, calendar: String, packs casePacks: [String]) -> [Int] {
        let key = ApplicabilityKey(plan: plan, calendar: calendar, packs: casePacks)
        if let cached = applicability.lookup(key) { return cached }
        let selected = casePacks.isEmpty ? configuration.defaultPacks : casePacks
        let nation = calendars[calendar]?.nation.rawValue
        let jurisdiction = jurisdictions[calendar]
        let packNations = Dictionary(packs.map { ($0.id, $0.nations) }, uniquingKeysWith: { a, _ in a })
        var out: [Int] = []
        for (i, r) in rules.enumerated() where Self.applies(r, selected, packNations, jurisdiction, nation, plan, calendar) { out.append(i) }
        applicability.store(key, out)
        return out
    }

    /// The rules an override switched off that would otherwise apply to a case (for `explain`: a timescale
    /// the case is not being tracked for).
    public func switchedOffRules(plan: String, calendar: String, packs casePacks: [String]) -> [Rule] {
        let selected = casePacks.isEmpty ? configuration.defaultPacks : casePacks
        let packNations = Dictionary(packs.map { ($0.id, $0.nations) }, uniquingKeysWith: { a, _ in a })
        return packs.flatMap(\.disabled).filter {
            Self.applies($0, selected, packNations, jurisdictions[calendar], calendars[calendar]?.nation.rawValue, plan, calendar)
        }
    }

    /// Whether a rule applies to a case of this plan and calendar, with these packs selected.
    private static func applies(
        _ r: Rule, _ selected: [String], _ packNations: [String: [Jurisdiction]], _ jurisdiction: Jurisdiction?, _ nation: String?,
        _ plan: String, _ calendar: String
    ) -> Bool {
        if !selected.isEmpty && !selected.contains(r.pack) { return false }
        // A pack written for some nations applies only to their cases, even when a case names it.
        if let n = packNations[r.pack], !n.isEmpty, !(jurisdiction.map(n.contains) ?? false) { return false }
        if !plan.isEmpty && !r.plans.isEmpty && !r.plans.contains(plan) { return false }
        if !r.calendars.isEmpty && !r.calendars.contains(calendar) && !(nation.map(r.calendars.contains) ?? false) { return false }
        return true
    }

    /// Applicable rules by plan, calendar and packs, remembered so the evaluator's hot path does no string
    /// matching after the first case of each kind.
    let applicability = ApplicabilityCache()

    /// The index of an event kind, if the vocabulary defines it.
    public func eventKind(_ name: String) -> Int? { eventIndex[name] }

    /// Applies each override, in file order, to the rule it names; one naming no rule is a warning.
    private static func apply(_ overrides: [RuleOverride], to packs: inout [RulePack], _ d: Diagnostics) {
        var at: [String: (Int, Int)] = [:]
        for (p, pack) in packs.enumerated() {
            for (r, rule) in pack.rules.enumerated() where at[rule.id] == nil { at[rule.id] = (p, r) }
        }
        for o in overrides {
            guard let (p, r) = at[o.ruleID] else {
                d.warn(o.at, "override.\(o.ruleID)",
                    "no pack has a rule '\(o.ruleID)'\(didYouMean(o.ruleID, at.keys)), so this override changes nothing (was the rule renamed or removed by an upgrade?)")
                continue
            }
            o.apply(to: &packs[p].rules[r])
        }
    }

    private static func crossCheck(_ c: Configuration, _ v: Vocabulary, _ packs: [RulePack], _ d: Diagnostics) {
        let events = Set(v.events.map(\.name))
        let roles = Set(v.roles.map(\.name))
        let plans = Set(v.plans.map(\.name))
        let calendarNames = Set(c.calendars.map(\.name)).union(Nation.allCases.map(\.rawValue))
        var packSeen: [String: RulePack] = [:]
        for p in packs {
            if let first = packSeen[p.id] {
                d.report(p.file, p.line, "pack.id", "pack '\(p.id)' is also defined in \(first.file):\(first.line)")
            }
            packSeen[p.id] = p
            // A rule switched off is not checked against the vocabulary: switching it off is how an admin
            // keeps a shipped rule that names an event their own vocabulary dropped.
            for r in p.rules where r.enabled {
                let key = "rule.\(r.id)"
                for e in r.anchor where !events.contains(e) {
                    d.report(r.origin("anchor"), "\(key).anchor",
                        "anchor event '\(e)' is not defined in \(v.file)\(didYouMean(e, events)); add it to [events] or fix the name")
                }
                for (k, list) in [("met-by", r.metBy), ("moot-if", r.mootIf), ("repeat", r.recurrence?.until ?? [])] {
                    for e in list where !events.contains(e) {
                        d.report(r.origin(k), "\(key).\(k == "repeat" ? "repeat.until" : k)",
                            "unknown event '\(e)'\(didYouMean(e, events)); events are defined in \(v.file)")
                    }
                }
                var roleRefs = [("owner", r.owner)] + r.copy.map { ("copy", $0) }
                roleRefs += r.escalate.flatMap { e in e.roles.map { ("escalate", $0) } }
                for (k, role) in roleRefs where !roles.contains(role) {
                    d.report(r.origin(k), "\(r.overriddenAt[k] == nil ? key : "override.\(r.id)").\(k)", "unknown role '\(role)'\(didYouMean(role, roles)); roles are defined in \(v.file)")
                }
                for plan in r.plans where !plans.contains(plan) {
                    d.report(r.origin("plans"), "\(key).plans", "unknown plan '\(plan)'\(didYouMean(plan, plans))")
                }
                for cal in r.calendars where !calendarNames.contains(cal) {
                    d.report(r.origin("calendars"), "\(key).calendars", "unknown calendar '\(cal)'\(didYouMean(cal, calendarNames))")
                }
                let periods = Set(v.periods.map(\.name))
                if let scope = r.scope, !periods.contains(scope) {
                    d.report(r.origin("scope"), "\(key).scope",
                        "unknown period '\(scope)'\(didYouMean(scope, periods)); periods are defined in \(v.file) as [periods.NAME]")
                }
                for p in r.suspendedIn where !periods.contains(p) {
                    d.report(r.origin("suspended-in"), "\(key).suspended-in", "unknown period '\(p)'\(didYouMean(p, periods))")
                }
                if r.metFromPeriodStart && r.scope == nil {
                    d.report(r.origin("met-from"), "\(key).met-from", "met-from = \"\(r.metFromBeforePeriod ? "before-period" : "period-start")\" needs a scope, e.g. scope = \"episode\"")
                }
                if let scope = r.scope, r.suspendedIn.contains(scope) {
                    d.report(r.origin("suspended-in"), "\(key).suspended-in", "a rule cannot be suspended for the whole of its own scope '\(scope)'")
                }
                var more = [("anchor-except", r.anchorExcept), ("only-if", r.onlyIf), ("scope-types", r.scopeTypes), ("scope-except", r.scopeExcept), ("extend", r.extend?.on ?? [])]
                for (k, list) in more {
                    for e in list where !events.contains(e) {
                        d.report(r.origin(k), "\(key).\(k == "extend" ? "extend.on" : k)",
                            "unknown event '\(e)'\(didYouMean(e, events)); events are defined in \(v.file)")
                    }
                }
                // Each change of interval at the line of its `when` (`repeat.later[2].when` in a list).
                for (i, change) in (r.recurrence?.changes ?? []).enumerated() {
                    let k = i < r.changeKeys.count ? r.changeKeys[i] : "repeat.later.when"
                    for e in change.when where !events.contains(e) {
                        d.report(r.origin(k), "\(key).\(k)", "unknown event '\(e)'\(didYouMean(e, events)); events are defined in \(v.file)")
                    }
                }
                if r.kind == .notBefore, r.recurrence != nil || !r.remind.isEmpty || !r.escalate.isEmpty {
                    let k = ["remind", "escalate"].first { r.overriddenAt[$0] != nil }
                    d.report(r.origin(k ?? "earliest"), k.map { "override.\(r.id).\($0)" } ?? "\(key).earliest",
                        "a rule with only an earliest date (no due) has nothing to remind of, escalate or repeat; add due = \"...\" for a window, or remove remind, escalate and repeat")
                }
                if r.due.amount < 0, r.recurrence != nil {
                    d.report(r.origin("repeat"), "\(key).repeat", "a deadline before its anchor cannot repeat; anchor each occurrence instead (anchor-occurrence = \"each\")")
                }
            }
        }
        for p in c.defaultPacks where packSeen[p] == nil {
            d.report(c.file, c.keyLines["default-packs"] ?? 1, "default-packs", "unknown pack '\(p)'\(didYouMean(p, packSeen.keys))")
        }
        if !calendarNames.contains(c.defaultCalendar) {
            d.report(c.file, c.keyLines["default-calendar"] ?? 1, "default-calendar", "unknown calendar '\(c.defaultCalendar)'\(didYouMean(c.defaultCalendar, calendarNames))")
        }
    }
}

/// What decides which rules apply to a case: its plan, calendar and packs. Cases with one key have the same
/// applicable rules (`RuleSet.applicableRules`).
public struct ApplicabilityKey: Hashable, Sendable {
    let plan: String
    let calendar: String
    let packs: [String]

    init(plan: String, calendar: String, packs: [String]) {
        self.plan = plan
        self.calendar = calendar
        self.packs = packs
    }

    /// A case's key.
    public init(_ c: ChildCase) {
        self.init(plan: c.plan, calendar: c.calendar, packs: c.packs)
    }

    /// The plan, the calendar and how many packs: a key looked up for every case evaluated hashes a few
    /// bytes, not every pack's name (keys differing only in their packs' names are few, and told apart by `==`).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(plan)
        hasher.combine(calendar)
        hasher.combine(packs.count)
    }
}

/// A thread-safe memo of applicable rules, shared by every copy of a `RuleSet`.
final class ApplicabilityCache: Sendable {
    private let table = Mutex<[ApplicabilityKey: [Int]]>([:])

    func lookup(_ key: ApplicabilityKey) -> [Int]? {
        table.withLock { $0[key] }
    }

    func store(_ key: ApplicabilityKey, _ value: [Int]) {
        table.withLock { $0[key] = value }
    }
}

/// A period kind with its event names resolved to indices.
struct CompiledPeriod: Sendable {
    let name: String
    let starts: [Int]
    let ends: [Int]
    let restarts: Bool
}

/// A rule with its event names resolved to indices and its hot fields at hand, for the evaluator's inner
/// loop. A class, so that handing one around costs one reference count rather than a copy of every field.
final class CompiledRule: Sendable {
    let id: String
    let name: RuleName
    /// Why the deadline cannot be computed while no anchor event is recorded.
    let missingAnchorReason: String
    /// The events that start the rule: its anchor, or the events that start its scope's periods.
    let startingEvents: [String]
    let anchor: [Int]
    let metBy: [Int]
    let until: [Int]
    let mootOrUntil: [Int]
    let occurrence: AnchorOccurrence
    let due: Offset
    let dueTime: DueTime
    let metByNth: Int
    let repeats: Bool
    /// `later-choice = "latest-event"` (see `Recurrence.latestEventWins`).
    let latestEventWins: Bool
    let every: [Offset]
    /// The repeat's changes of interval, each with its `when` events as one slot (empty for none).
    let changes: [(after: Offset?, when: [Int], every: Offset)]
    let statutory: Bool
    /// Index into `RuleSet.periods` of its scope, if it has one.
    let scope: Int?
    /// Event kinds the scope's starting event must count as; empty for any.
    let scopeTypes: [Int]
    /// Event kinds whose periods the rule leaves to other rules.
    let scopeExcept: [Int]
    let suspendedIn: [Int]
    let anchorExcept: [Int]
    let onlyIf: [Int]
    /// `moot-if` alone (without the repeat's `until`): a condition that, met before the anchor, means the
    /// deadline was never needed.
    let mootIf: [Int]
    let kind: TimescaleKind
    let metFromPeriodStart: Bool
    let metFromBeforePeriod: Bool
    let mootIfBeforeAnchor: Bool
    let resumeContinues: Bool
    let extendTimes: Int?
    let extendAfterDue: Bool
    let earliest: Offset?
    let extendOn: [Int]
    let extendBy: Offset?
    /// The anchor is the start of each period (a scoped rule that names no anchor).
    let anchorIsScopeStart: Bool

    /// Lists the evaluator looks up as positions go through `groups` (one slot for a list of several
    /// kinds); lists it only tests an event against (`scopeTypes`, `scopeExcept`, `anchorExcept`) keep
    /// their kinds.
    init(_ r: Rule, _ index: [String: Int], _ periods: [String: Int], _ periodStarts: [String: [String]], _ groups: inout KindGroups) {
        id = r.id
        name = RuleName(r.id)
        statutory = r.workingDays == .statutory
        scope = r.scope.flatMap { periods[$0] }
        scopeTypes = r.scopeTypes.compactMap { index[$0] }
        scopeExcept = r.scopeExcept.compactMap { index[$0] }
        suspendedIn = r.suspendedIn.compactMap { periods[$0] }
        anchorExcept = r.anchorExcept.compactMap { index[$0] }
        onlyIf = groups.slot(r.onlyIf.compactMap { index[$0] })
        kind = r.kind
        metFromPeriodStart = r.metFromPeriodStart
        metFromBeforePeriod = r.metFromBeforePeriod
        mootIfBeforeAnchor = r.mootIfBeforeAnchor
        resumeContinues = r.resumeContinues
        extendTimes = r.extend?.times
        extendAfterDue = r.extend?.afterDue ?? true
        earliest = r.earliest
        extendOn = groups.slot((r.extend?.on ?? []).compactMap { index[$0] })
        extendBy = r.extend?.by
        anchorIsScopeStart = r.anchor.isEmpty
        changes = (r.recurrence?.changes ?? []).map { c in
            (c.after, groups.slot(c.when.compactMap { index[$0] }), c.every)
        }
        let starts = r.anchor.isEmpty ? r.scope.flatMap { periodStarts[$0] } ?? [] : r.anchor
        startingEvents = starts
        missingAnchorReason = "no \(starts.joined(separator: " or ")) event recorded"
        anchor = groups.slot(r.anchor.compactMap { index[$0] })
        metBy = groups.slot(r.metBy.compactMap { index[$0] })
        let mootIf = r.mootIf.compactMap { index[$0] }
        self.mootIf = groups.slot(mootIf)
        let until = (r.recurrence?.until ?? []).compactMap { index[$0] }
        self.until = groups.slot(until)
        mootOrUntil = groups.slot(mootIf + until)
        occurrence = r.anchorOccurrence
        due = r.due
        dueTime = r.dueTime
        metByNth = r.metByNth
        repeats = r.recurrence != nil
        latestEventWins = r.recurrence?.latestEventWins ?? false
        every = r.recurrence?.every ?? []
    }
}
