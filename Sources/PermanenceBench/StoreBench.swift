import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceStore

/// Imports a large synthetic authority into a real SQLite file, then times agenda queries.
struct StoreBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Import N events for M cases into a fresh store; time the import and team/everyone overdue agendas.")

    @Option(help: "Cases.") var cases: Int = 100_000
    @Option(help: "Events (spread evenly over the cases).") var events: Int = 1_000_000
    @Option(help: "Configuration directory.") var config: String = "config"
    @Option(help: "Working directory for the CSV files and the store (default: a new temporary directory).") var work: String?

    func run() throws {
        let set = try loadShipped(config)
        let dir = work ?? FileManager.default.temporaryDirectory.appendingPathComponent("permanenced-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let now = set.zone.startOfDay(LocalDate(year: 2026, month: 11, day: 23)!)
        let teams = max(1, cases / 1000)
        try writeFiles(dir: dir, teams: teams)
        let store = try Store(path: "\(dir)/bench.sqlite", ruleSet: set)
        print("store benchmark: \(cases) cases, \(events) events, \(teams) teams of 10 workers; \(dir)")
        for (name, file) in [("workers", "workers.csv"), ("cases", "cases.csv")] {
            let t0 = monotonicSeconds()
            let r = try store.importFile("\(dir)/\(file)", actor: "bench", now: now)
            print(String(format: "  import %-8@ %9d rows in %6.2f s", name as NSString, r.rows, monotonicSeconds() - t0))
        }
        let rssBefore = currentResidentMiB()
        let t0 = monotonicSeconds()
        let r = try store.importFile("\(dir)/events.csv", actor: "bench", now: now)
        let elapsed = monotonicSeconds() - t0
        print(String(format: "  import events   %9d rows in %6.2f s (%.0f rows/s), %d cases recomputed", r.rows, elapsed, Double(r.rows) / elapsed, r.casesRecomputed))
        print(String(format: "  memory          %.1f MiB resident before the events import, %.1f MiB after (peak %.1f MiB)", rssBefore, currentResidentMiB(), peakResidentMiB()))
        let summary = try store.summary(now: now)
        print("  store           \(formatBytes(store.sizeInBytes())), \(summary.overdue) overdue, \(summary.dueThisWeek) due in 7 days")
        func time(_ label: String, _ body: () throws -> Int) rethrows {
            var runs: [Double] = []
            var count = 0
            for _ in 0..<5 {
                let t = monotonicSeconds()
                count = try body()
                runs.append(monotonicSeconds() - t)
            }
            runs.sort()
            print(String(format: "  %@ %7d items: median %.1f ms (best %.1f ms)", label as NSString, count, runs[2] * 1000, runs[0] * 1000))
        }
        try time("agenda --overdue --team     ") { try store.agenda(.team(manager: "tm0"), within: 0, overdueOnly: true, now: now).count }
        try time("agenda --overdue (everyone) ") { try store.agenda(.everyone, within: 0, overdueOnly: true, now: now).count }
        try time("agenda --within 14d --team  ") { try store.agenda(.team(manager: "tm0"), within: 14 * 86_400, overdueOnly: false, now: now).count }
    }

    /// Writes workers.csv, cases.csv and events.csv: realistic sequences per case (placement, visits, reviews).
    private func writeFiles(dir: String, teams: Int) throws {
        var workers = "worker_id,name,email,roles,manager_id\nsm,Service Manager,sm@example.org,service-manager,\n"
        for t in 0..<teams {
            workers += "tm\(t),Manager \(t),tm\(t)@example.org,team-manager,sm\n"
            for w in 0..<10 { workers += "sw\(t)-\(w),Worker \(t)-\(w),sw\(t)-\(w)@example.org,social-worker permanence-sw iro family-finder,tm\(t)\n" }
        }
        try workers.write(toFile: "\(dir)/workers.csv", atomically: true, encoding: .utf8)
        let plans = ["adoption", "long-term-fostering", "reunification", "special-guardianship"]
        var casesText = "case_ref,plan,calendar,social-worker,permanence-sw,iro,family-finder,team-manager\n"
        for c in 0..<cases {
            let t = c % teams
            let sw = "sw\(t)-\(c % 10)"
            casesText += "C\(c),\(plans[c % 4]),\(c % 5 == 4 ? "scotland" : "england-and-wales"),\(sw),\(sw),sw\(t)-\((c + 1) % 10),sw\(t)-\((c + 2) % 10),tm\(t)\n"
        }
        try casesText.write(toFile: "\(dir)/cases.csv", atomically: true, encoding: .utf8)
        // Events are written in chunks to keep this generator's own memory flat too.
        _ = FileManager.default.createFile(atPath: "\(dir)/events.csv", contents: nil)
        let out = FileHandle(forWritingAtPath: "\(dir)/events.csv")!
        defer { try? out.close() }
        out.write(Data("case_ref,event,at,event_id\n".utf8))
        let perCase = max(1, events / cases)
        var rng = SplitMix(state: 11)
        // Each history ends within the last two months before 23 November 2026, as live cases' do.
        let end = LocalDate(year: 2026, month: 11, day: 23)!.dayNumber * 86_400
        var chunk = ""
        let zone = ZoneRules.europeLondon
        for c in 0..<cases {
            var t = end - Int(rng.next() % (60 * 86_400)) - (perCase - 2) * 35 * 86_400 + 36_000
            for k in 0..<perCase {
                let kind: String
                switch k {
                case 0: kind = "became-looked-after"
                case 1: kind = "placed"
                case 2: kind = "placement-planning-meeting"
                default: kind = k % 3 == 0 ? "review" : "visit"
                }
                chunk += "C\(c),\(kind),\(zone.iso8601(Instant(seconds: t))),C\(c)-\(k)\n"
                t += k < 2 ? 3600 : 86_400 * (20 + Int(rng.next() % 30))
            }
            if chunk.utf8.count > 1 << 20 {
                out.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        out.write(Data(chunk.utf8))
    }
}

/// Current resident memory in MiB (VmRSS).
func currentResidentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
    return .nan
}

func formatBytes(_ n: Int) -> String {
    n < 1 << 20 ? "\(n / 1024) KiB" : "\(n >> 20) MiB"
}
