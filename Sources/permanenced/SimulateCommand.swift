import ArgumentParser
import PermanenceCore

/// `permanenced simulate`: every notification that would go out in a window if nothing else happened.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "List every notification that would be sent between two moments if nothing else happened, in time order.")

    @Option(help: "Events CSV (case_ref,event,at[,event_id,note,supersedes,withdrawn]).")
    var events: String

    @Option(help: "Cases CSV (case_ref,plan,calendar[,initials,packs] and one column per role).")
    var cases: String?

    @Option(help: "Start of the window (ISO 8601 or 'now').")
    var from: String

    @Option(help: "End of the window, exclusive (ISO 8601).")
    var until: String

    @Flag(help: "Print a JSON array of notifications.")
    var json = false

    @Option(help: "Configuration file (default: $PERMANENCED_CONFIG or /etc/permanenced/permanenced.toml).")
    var config: String?

    func run() throws {
        let set = try loadRuleSet(config)
        let start = try parseTime(from, option: "--from", zone: set.zone)
        let end = try parseTime(until, option: "--until", zone: set.zone)
        guard start < end else { throw Failure.report("--until must be after --from", status: 2) }
        let inputs = try CaseInputs.load(events: events, cases: cases, ruleSet: set)
        let evaluator = Evaluator(ruleSet: set)
        let planner = NotificationPlanner(ruleSet: set)
        var all: [PlannedNotification] = []
        for ref in inputs.order {
            let evaluation = evaluator.evaluate(inputs.cases[ref]!, events: inputs.events[ref] ?? [])
            all += planner.plan(evaluation, from: start, until: end)
        }
        all.sort { $0.at != $1.at ? $0.at < $1.at : $0.key < $1.key }
        let zone = set.zone
        func due(_ n: PlannedNotification) -> String { n.isExact ? zone.iso8601(n.dueInstant) : n.dueDate.description }
        if json {
            say(JSON.array(all.map { n in
                .object([
                    ("at", .string(zone.iso8601(n.at))), ("case", .string(n.caseRef)), ("rule", .string(n.ruleID)),
                    ("stage", .string(n.stage.rawValue)), ("level", .int(n.level)), ("cycle", .int(n.cycle)),
                    ("due", .string(due(n))), ("severity", .string(n.severity.rawValue)),
                    ("recipients", .array(n.recipients.map { r in
                        .object([("role", .string(r.role)), ("worker", .optional(r.worker))])
                    })),
                    ("key", .string(n.key)),
                ])
            }).rendered())
            return
        }
        for n in all {
            let who = n.recipients.map { "\($0.role)=\($0.worker ?? "(unassigned)")" }.joined(separator: ", ")
            let stage = n.stage == .reminder || n.stage == .escalation ? "\(n.stage.rawValue) \(n.level)" : n.stage.rawValue
            say("\(zone.iso8601(n.at))  \(stage.padding(12))  \(n.caseRef)  \(n.ruleID)  due \(due(n))  to \(who)")
        }
        say("\(all.count) notification\(all.count == 1 ? "" : "s") for \(inputs.order.count) case\(inputs.order.count == 1 ? "" : "s") from \(zone.iso8601(start)) until \(zone.iso8601(end))")
    }
}

extension String {
    /// A table cell: padded to `width`, and never run into the next column (one space after a longer value).
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
