import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceStore

/// Imports the same number of events twice, as short histories and as long ones, and compares the cost of an
/// event: an import whose cost grew with the square of a case's history would show it here.
struct HistoryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Import short histories (10 events a case) and long ones (500 a case, weekly visits for years); compare the cost per event.")

    @Option(help: "Cases with long histories.") var cases: Int = 1000
    @Option(help: "Events in each long history.") var perCase: Int = 500
    @Option(help: "Configuration directory.") var config: String = "config"
    @Option(help: "Working directory (default: a new temporary directory).") var work: String?

    func run() throws {
        let set = try loadShipped(config)
        let root = work ?? FileManager.default.temporaryDirectory.appendingPathComponent("permanenced-history-bench-\(getpid())").path
        let now = set.zone.startOfDay(LocalDate(year: 2026, month: 11, day: 23)!)
        let events = cases * perCase
        print("history benchmark: \(events) events, as \(events / 10) cases of 10 and as \(cases) cases of \(perCase)")
        var costs: [Double] = []
        for (label, n, spacing) in [("short", events / 10, 20...49), ("long", cases, 3...10)] {
            let dir = "\(root)/\(label)"
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try StoreBench.writeFiles(dir: dir, cases: n, events: events, teams: max(1, n / 1000), spacing: spacing)
            let store = try Store(path: "\(dir)/bench.sqlite", ruleSet: set)
            _ = try store.importFile("\(dir)/workers.csv", actor: "bench", now: now)
            _ = try store.importFile("\(dir)/cases.csv", actor: "bench", now: now)
            let t = monotonicSeconds()
            let r = try store.importFile("\(dir)/events.csv", actor: "bench", now: now)
            let elapsed = monotonicSeconds() - t
            costs.append(elapsed / Double(r.rows))
            print(String(format: "  %-5@ %6d cases × %3d events: %d rows in %6.2f s, %5.1f µs an event, %d cases recomputed",
                         label as NSString, n, events / n, r.rows, elapsed, costs.last! * 1e6, r.casesRecomputed))
        }
        print(String(format: "  long / short    %.2f× the cost of an event (target ≤ 1.5×)", costs[1] / costs[0]))
        if work == nil { try? FileManager.default.removeItem(atPath: root) }
    }
}
