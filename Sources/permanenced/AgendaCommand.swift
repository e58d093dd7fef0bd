import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceStore

/// `permanenced agenda`: what is due, in due order, for a worker, a team, a case or everyone.
struct AgendaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agenda", abstract: "What is due, in due order, with owner and status.")

    @Option(help: "Deadlines owned by this worker.") var worker: String?
    @Option(help: "Deadlines owned by this manager's team.") var team: String?
    @Option(name: .customLong("case"), help: "Deadlines of one case.") var caseRef: String?
    @Option(help: "How far ahead to look (an offset: 14d, 4w, 10wd).") var within: String = "14d"
    @Flag(help: "Only what is overdue.") var overdue = false
    @Option(help: "table or csv (for JSON: --json).") var format: String = "table"
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "The moment to look from (default: now), with the deadlines and workers as recorded now (explain --at rewinds a case to what was known then).") var at: String = "now"
    @OptionGroup var options: StoreOptions

    func validate() throws {
        if [worker, team, caseRef].compactMap({ $0 }).count > 1 { throw ValidationError("give at most one of --worker, --team, --case") }
        // `--format json` is what 0.9 called --json; it still works.
        if !["table", "json", "csv"].contains(format) { throw ValidationError("--format must be table or csv (for JSON: --json)") }
        if json && format != "table" { throw ValidationError("give --json or --format, not both") }
    }

    func run() throws {
        let (set, store) = try options.open(creating: false, writing: false)
        let now = try parseTime(at, option: "--at", zone: set.zone)
        let offset: Offset
        do { offset = try Offset.parse(within) } catch { throw Failure.report("--within: \(error)", status: 2) }
        let calc = set.calculator(calendar: set.configuration.defaultCalendar)!
        let horizon: Instant
        do {
            guard case .dateTime(_, let h) = try calc.add(offset, to: .dateTime(set.zone.localDateTime(at: now), now)) else { return }
            horizon = h
        } catch { throw Failure.report("--within: \(error)", status: 2) }
        let scope: Store.AgendaScope = worker.map { .worker($0) } ?? team.map { .team(manager: $0) } ?? caseRef.map { .caseRef($0) } ?? .everyone
        if case .worker(let w) = scope, try store.worker(w) == nil { throw Failure.report("unknown worker '\(w)'", status: 2) }
        if case .team(let m) = scope, try store.worker(m) == nil { throw Failure.report("unknown manager '\(m)'", status: 2) }
        let items = try store.agenda(scope, within: horizon.seconds - now.seconds, overdueOnly: overdue, now: now)
        let titles = Dictionary(set.rules.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        func due(_ i: Store.AgendaItem) -> String { i.isExact ? set.zone.iso8601(i.dueAt) : i.dueDate.description }
        // Who covers an absent owner today (their deputy, or their manager).
        let today = set.zone.localDate(at: now)
        let cover = try store.absenceCover(on: today)
        var covers: [String: String] = [:]
        for w in Set(items.compactMap(\.ownerWorker)) {
            let c = cover.cover(for: w)
            if c != w { covers[w] = c }
        }
        // The adoption scorecard's clock on its own deadlines: "A1 day 400 of 426" (the day the threshold passes
        // is the deadline; the clock started the threshold before it).
        let thresholds = ["scorecard-a1": ("A1", set.configuration.scorecard.a1), "scorecard-a2": ("A2", set.configuration.scorecard.a2)]
        func scorecard(_ i: Store.AgendaItem) -> String? {
            guard let (name, t) = thresholds[i.ruleID] else { return nil }
            let started = AdoptionScorecard.adding(Offset(-t.amount, t.unit), to: i.dueDate)
            return "\(name) day \(today.dayNumber - started.dayNumber) of \(i.dueDate.dayNumber - started.dayNumber)"
        }
        switch json ? "json" : format {
        case "json":
            say(JSON.array(items.map { i in
                .object([
                    ("due", .string(due(i))), ("status", .string(i.status.rawValue)), ("case", .string(i.caseRef)),
                    ("rule", .string(i.ruleID)), ("cycle", .int(i.cycle)), ("title", .optional(titles[i.ruleID])),
                    ("owner_role", .string(i.ownerRole)), ("owner", .optional(i.ownerWorker)),
                    ("covered_by", .optional(i.ownerWorker.flatMap { covers[$0] })), ("severity", .string(i.severity)),
                    ("scorecard", .optional(scorecard(i))),
                ])
            }).rendered())
        case "csv":
            say("due,status,case_ref,rule,cycle,owner_role,owner,covered_by,severity,scorecard")
            for i in items {
                let cover = i.ownerWorker.flatMap { covers[$0] } ?? ""
                say([due(i), i.status.rawValue, i.caseRef, i.ruleID, String(i.cycle), i.ownerRole, i.ownerWorker ?? "", cover, i.severity, scorecard(i) ?? ""]
                    .map(csvField).joined(separator: ","))
            }
        default:
            if items.isEmpty {
                say("nothing \(overdue ? "overdue" : "due within \(offset.phrase)")")
                return
            }
            say("DUE".padding(26) + "STATUS".padding(10) + "CASE".padding(16) + "OWNER".padding(28) + "WHAT")
            for i in items {
                let cover = i.ownerWorker.flatMap { covers[$0] }.map { " → \($0)" } ?? ""
                let owner = "\(i.ownerWorker ?? "(unassigned)")\(cover) (\(i.ownerRole))"
                say(due(i).padding(26) + i.status.label.padding(10) + i.caseRef.padding(16) + owner.padding(28)
                    + (titles[i.ruleID] ?? i.ruleID) + (scorecard(i).map { " [\($0)]" } ?? ""))
            }
            say("\(items.count) item\(items.count == 1 ? "" : "s")")
        }
    }
}

func csvField(_ s: String) -> String {
    s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
}
