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

    @Flag(help: "Time only the agendas, on the store an earlier run left in --work.") var agendasOnly = false

    func run() throws {
        let set = try loadShipped(config)
        let dir = work ?? FileManager.default.temporaryDirectory.appendingPathComponent("permanenced-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let now = set.zone.startOfDay(LocalDate(year: 2026, month: 11, day: 23)!)
        if agendasOnly {
            guard work != nil else { throw ValidationError("--agendas-only needs --work, the directory of an earlier run") }
            try Self.timeAgendas(try Store(path: "\(dir)/bench.sqlite", ruleSet: set), now: now)
            return
        }
        let teams = max(1, cases / 1000)
        try Self.writeFiles(dir: dir, cases: cases, events: events, teams: teams)
        let store = try Store(path: "\(dir)/bench.sqlite", ruleSet: set)
        print("store benchmark: \(cases) cases, \(events) events, \(teams) teams of 10 workers; \(dir)")
        let tw = monotonicSeconds()
        let rw = try store.importFile("\(dir)/workers.csv", actor: "bench", now: now)
        print(String(format: "  import workers  %9d rows in %6.2f s", rw.rows, monotonicSeconds() - tw))
        let tc = monotonicSeconds()
        let rc = try store.importFile("\(dir)/cases.csv", actor: "bench", now: now)
        let casesElapsed = monotonicSeconds() - tc
        print(String(format: "  import cases    %9d rows in %6.2f s (target < 2 s for 100,000)%@", rc.rows, casesElapsed,
                     Self.rawImport(dir: dir, file: "cases.csv", elapsed: casesElapsed) as NSString))
        let rssBefore = currentResidentMiB()
        let t0 = monotonicSeconds()
        let r = try store.importFile("\(dir)/events.csv", actor: "bench", now: now)
        let elapsed = monotonicSeconds() - t0
        print(String(format: "  import events   %9d rows in %6.2f s (target < 10 s for 1,000,000), %.1f µs an event, %d cases recomputed%@",
                     r.rows, elapsed, elapsed * 1e6 / Double(max(1, r.rows)), r.casesRecomputed,
                     Self.rawImport(dir: dir, file: "events.csv", elapsed: elapsed) as NSString))
        print(String(format: "  memory          %.1f MiB resident before the events import, %.1f MiB after (peak %.1f MiB; target: flat)", rssBefore, currentResidentMiB(), peakResidentMiB()))
        let summary = try store.summary(now: now)
        print("  store           \(formatBytes(store.sizeInBytes())), \(summary.overdue) overdue, \(summary.dueThisWeek) due in 7 days")
        try Self.timeAgendas(store, now: now)
    }

    /// Times each agenda five times: the median and the best.
    static func timeAgendas(_ store: Store, now: Instant) throws {
        func time(_ label: String, target: Double, _ body: () throws -> Int) rethrows {
            var runs: [Double] = []
            var count = 0
            for _ in 0..<5 {
                let t = monotonicSeconds()
                count = try body()
                runs.append(monotonicSeconds() - t)
            }
            runs.sort()
            print(String(format: "  %@ %7d items: median %.1f ms (best %.1f ms; target < %.0f ms)", label as NSString, count, runs[2] * 1000, runs[0] * 1000, target))
        }
        try time("agenda --overdue --team     ", target: 5) { try store.agenda(.team(manager: "tm0"), within: 0, overdueOnly: true, now: now).count }
        try time("agenda --overdue (everyone) ", target: 150) { try store.agenda(.everyone, within: 0, overdueOnly: true, now: now).count }
        try time("agenda --within 14d --team  ", target: 5) { try store.agenda(.team(manager: "tm0"), within: 14 * 86_400, overdueOnly: false, now: now).count }
    }

    /// SQLite's own `.import` of the same CSV into a table of text columns (the floor for any import), timed
    /// in the same run, with the ratio: an empty string when the sqlite3 shell is not installed.
    static func rawImport(dir: String, file: String, elapsed: Double) -> String {
        let shell = "/usr/bin/sqlite3"
        guard FileManager.default.isExecutableFile(atPath: shell) else { return "; sqlite3 not installed, no raw .import to compare" }
        let db = "\(dir)/raw-\(file).sqlite"
        try? FileManager.default.removeItem(atPath: db)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: shell)
        p.arguments = [db, ".import --csv \(dir)/\(file) raw"]
        let t = monotonicSeconds()
        guard (try? p.run()) != nil else { return "" }
        p.waitUntilExit()
        let raw = monotonicSeconds() - t
        try? FileManager.default.removeItem(atPath: db)
        return String(format: "; SQLite's .import of the same CSV: %.2f s, ratio %.1f×", raw, elapsed / raw)
    }

    /// Writes workers.csv, cases.csv and events.csv: realistic sequences per case (placement, visits, reviews).
    /// `spacing`: days between a case's visits and reviews (drawn evenly from the range).
    static func writeFiles(dir: String, cases: Int, events: Int, teams: Int, spacing: ClosedRange<Int> = 20...49) throws {
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
            let mean = (spacing.lowerBound + spacing.upperBound) / 2
            var t = end - Int(rng.next() % (60 * 86_400)) - (perCase - 2) * mean * 86_400 + 36_000
            for k in 0..<perCase {
                let kind: String
                switch k {
                case 0: kind = "became-looked-after"
                case 1: kind = "placed"
                case 2: kind = "placement-planning-meeting"
                default: kind = k % 3 == 0 ? "review" : "visit"
                }
                chunk += "C\(c),\(kind),\(zone.iso8601(Instant(seconds: t))),C\(c)-\(k)\n"
                t += k < 2 ? 3600 : 86_400 * (spacing.lowerBound + Int(rng.next() % UInt64(spacing.count)))
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
