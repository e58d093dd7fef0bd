import ArgumentParser
import PermanenceCore

/// `permanenced explain CASE`: a case's timeline with the arithmetic behind every deadline.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show a case's events and every deadline with the arithmetic that produced it, its status and its source.")

    @Argument(help: "Case reference.")
    var caseRef: String

    @Option(help: "Events CSV (case_ref,event,at[,event_id,note,supersedes,withdrawn]).")
    var events: String

    @Option(help: "Cases CSV (case_ref,plan,calendar[,initials,packs] and one column per role).")
    var cases: String?

    @Option(help: "The moment to evaluate at (ISO 8601 or 'now'; default now).")
    var at: String = "now"

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "Configuration file (default: $PERMANENCED_CONFIG or /etc/permanenced/permanenced.toml).")
    var config: String?

    func run() throws {
        let set = try loadRuleSet(config)
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
}
