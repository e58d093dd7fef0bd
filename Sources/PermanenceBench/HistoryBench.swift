import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceStore

/// Imports the same number of events twice, as short histories and as long ones, and compares the cost of an
/// event: an import whose cost grew with the square of a case's history would show it here.
struct HistoryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Import short histories (10 events a case) and long ones (500 a case, weekly visits for years, grouped by case and sorted by date); compare the cost per event.")

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
        // The long histories twice: grouped by case, as most exports come, and sorted by date (no case's rows
        // together), which must not make a case's recompute happen once per row.
        for (label, n, spacing, byDate) in [("short", events / 10, 20...49, false), ("long", cases, 3...10, false), ("dated", cases, 3...10, true)] {
            let dir = "\(root)/\(label)"
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try StoreBench.writeFiles(dir: dir, cases: n, events: events, teams: max(1, n / 1000), spacing: spacing)
            if byDate { try Self.sortByDate("\(dir)/events.csv") }
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
        print(String(format: "  dated / short   %.2f× the cost of an event (target ≤ 1.5×)", costs[2] / costs[0]))
        if work == nil { try? FileManager.default.removeItem(atPath: root) }
    }

    /// Rewrites an events file with its rows in the order of their `at` column (ISO 8601 text sorts by time
    /// within one offset, near enough for an export ordered by date).
    static func sortByDate(_ path: String) throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let rows = lines.dropFirst().map { ($0.split(separator: ",")[2], $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        try ([lines[0]] + rows).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
