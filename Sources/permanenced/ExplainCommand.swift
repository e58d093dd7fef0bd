import ArgumentParser
import PermanenceCore

/// `permanenced explain CASE`: a case's timeline with the arithmetic behind every deadline.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show a case's events and every deadline with the arithmetic that produced it, its status and its source.")

    @Argument(help: "Case reference.")
    var caseRef: String

    @Option(help: "Events CSV for a what-if (case_ref,event,at[,...]); without it the case is read from the store.")
    var events: String?

    @Option(help: "Cases CSV (case_ref,plan,calendar[,initials,packs] and one column per role).")
    var cases: String?

    @Option(help: "The moment to evaluate at (ISO 8601 or 'now'; default now). From the store, the case as it stood then: events after that moment do not count, unless they had been recorded in advance.")
    var at: String = "now"

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var options: StoreOptions

    func run() throws {
        guard let events else { return try explainFromStore() }
        let set = try loadRuleSet(options.config)
        let now = try parseTime(at, option: "--at", zone: set.zone)
        let inputs = try CaseInputs.load(events: events, cases: cases, ruleSet: set)
        guard let c = inputs.cases[caseRef] else {
            throw Failure.report("unknown case '\(caseRef)': no such case in \(cases ?? events)", status: 2)
        }
        let evaluation = Evaluator(ruleSet: set).evaluate(c, events: inputs.events[caseRef] ?? [])
        let report = CaseReport(ruleSet: set, evaluation: evaluation, now: now)
        if json {
            say(report.json().rendered())
        } else {
            if inputs.stubbed {
                say("note: no --cases file; plan unknown, so every plan's rules are shown on the \(c.calendar) calendar\n")
            }
            say(report.text())
        }
    }

    /// The case as the store holds it, with its assignment history and what has been notified so far.
    private func explainFromStore() throws {
        let (set, store) = try options.open(creating: false, writing: false)
        let now = try parseTime(at, option: "--at", zone: set.zone)
        // The case as it stood at that moment: what happened after it does not count (a booked hearing does).
        guard let (c, events) = try store.caseWithEvents(caseRef, knownAt: at == "now" ? nil : now) else {
            throw Failure.report("unknown case '\(caseRef)' in \(store.path)", status: 2)
        }
        let evaluation = Evaluator(ruleSet: set).evaluate(c, events: events)
        let report = CaseReport(ruleSet: set, evaluation: evaluation, now: now)
        let history = try store.assignmentHistory(caseRef)
        let notified = try store.notifications(caseRef)
        if json {
            guard case .object(var pairs) = report.json() else { return }
            pairs.append(("assignments", .array(history.map { a in
                .object([("role", .string(a.role)), ("worker", .string(a.worker)), ("from", .string(set.zone.iso8601(a.from))),
                         ("to", a.to.map { .string(set.zone.iso8601($0)) } ?? .null)])
            })))
            pairs.append(("notifications", .array(notified.map { n in
                .object([("rule", .string(n.ruleID)), ("stage", .string(n.stage)), ("planned_at", .string(set.zone.iso8601(n.plannedAt))),
                         ("state", .string(n.state)), ("recipients", .string(n.recipients))])
            })))
            say(JSON.object(pairs).rendered())
            return
        }
        say(report.text())
        say("\nAssignments")
        for a in history {
            let until = a.to.map { " until \(set.zone.humanDateTime($0))" } ?? " (current)"
            say("  \(a.role.padding(16)) \(a.worker.padding(14)) from \(set.zone.humanDateTime(a.from))\(until)")
        }
        if history.isEmpty { say("  (none)") }
        say("\nNotified so far")
        for n in notified {
            say("  \(set.zone.iso8601(n.plannedAt))  \(n.stage)  \(n.ruleID)  \(n.state)  to \(n.recipients)")
        }
        if notified.isEmpty { say("  (nothing yet)") }
    }
}
