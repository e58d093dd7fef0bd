import PermanenceCore
import PermanenceConfig

/// Cases and events read from the CSV files named on the command line.
struct CaseInputs {
    var cases: [String: ChildCase]
    var order: [String]
    var events: [String: [CaseEvent]]
    /// True when no cases file was given: cases are stubs on the default calendar with every plan's rules.
    var stubbed: Bool

    static func load(events eventsPath: String, cases casesPath: String?, ruleSet: RuleSet) throws -> CaseInputs {
        var cases: [String: ChildCase] = [:]
        var order: [String] = []
        var issues: [CSVIssue] = []
        // Every case the cases file names, good row or bad: a bad row is reported once, not again for each of
        // its case's events, nor for every other case's.
        var named = Set<String>()
        // A cases file whose header cannot be read names no case: its events are then not checked against it.
        var casesUnreadable = false
        if let casesPath {
            let f = try readInput(casesPath)
            do {
                let read = try CaseTable.read(file: casesPath, text: f.text, ruleSet: ruleSet)
                for c in read.cases {
                    cases[c.reference] = c
                    order.append(c.reference)
                }
                issues += read.issues
                named = read.named
            } catch {
                issues += error.issues
                casesUnreadable = true
            }
        }
        let f = try readInput(eventsPath)
        var byCase: [String: [CaseEvent]] = [:]
        do {
            let known = casesPath == nil || casesUnreadable ? nil : named.union(cases.keys)
            let events = try EventTable.decode(file: eventsPath, text: f.text, ruleSet: ruleSet, knownCases: known)
            for e in events {
                if cases[e.caseRef] == nil {
                    cases[e.caseRef] = ChildCase(reference: e.caseRef, plan: "", calendar: ruleSet.configuration.defaultCalendar)
                    order.append(e.caseRef)
                }
                byCase[e.caseRef, default: []].append(e)
            }
        } catch {
            issues += error.issues
        }
        guard issues.isEmpty else {
            throw Failure.report("invalid input, nothing was evaluated:\n" + issues.map(\.description).joined(separator: "\n"), status: 2)
        }
        return CaseInputs(cases: cases, order: order, events: byCase, stubbed: casesPath == nil)
    }

    private static func readInput(_ path: String) throws -> SourceFile {
        do {
            return try ConfigLoader.read(path)
        } catch {
            throw Failure.report("\(error)", status: 2)
        }
    }
}

/// Loads the rule set or explains why not (exit 1: configuration problems).
func loadRuleSet(_ option: String?) throws -> RuleSet {
    do {
        return try ConfigLoader.load(ConfigLoader.path(option)).0
    } catch {
        throw Failure.report("configuration is invalid:\n\(error)", status: 1)
    }
}

/// Parses a `--at`, `--from` or `--until` value; `now` means the current time.
func parseTime(_ text: String, option: String, zone: ZoneRules) throws -> Instant {
    if text == "now" { return Clock.now() }
    do {
        switch try TimePoint.parse(text, zone: zone) {
        case .date(let d): return zone.startOfDay(d)
        case .dateTime(_, let i): return i
        }
    } catch {
        throw Failure.report("\(option): \(error)", status: 2)
    }
}
