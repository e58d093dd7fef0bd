import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceStore

/// A store of N children, one in five adopted over three years, and the adoption scorecard over all of them
/// (`permanenced report scorecard`'s work: the adopted children read one at a time, their figures worked out).
struct ScorecardBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorecard",
        abstract: "Import N children (one in five adopted) into a fresh store; time the adoption scorecard over all of them.")

    @Option(help: "Children.") var children: Int = 100_000
    @Option(help: "Configuration directory.") var config: String = "config"
    @Option(help: "Working directory for the CSV files and the store (default: a new temporary directory).") var work: String?

    func run() throws {
        let set = try loadShipped(config)
        let dir = work ?? FileManager.default.temporaryDirectory.appendingPathComponent("permanenced-bench-scorecard-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let zone = set.zone
        // Cases, each with a team manager of ten teams, and their histories: in care 2022 to 2025; one in five
        // adopted (placement order, match, placement for adoption, adoption order), one in ten of those by the
        // foster carers.
        var cases = "case_ref,plan,calendar,team-manager\n"
        var workers = "worker_id,name,email,roles,manager_id\n"
        for t in 0..<10 { workers += "tm\(t),Manager \(t),tm\(t)@example.org,team-manager,\n" }
        for c in 0..<children { cases += "C\(c),adoption,england-and-wales,tm\(c % 10)\n" }
        try workers.write(toFile: "\(dir)/workers.csv", atomically: true, encoding: .utf8)
        try cases.write(toFile: "\(dir)/cases.csv", atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: "\(dir)/events.csv", contents: nil)
        let out = FileHandle(forWritingAtPath: "\(dir)/events.csv")!
        out.write(Data("case_ref,event,at,event_id\n".utf8))
        var rng = SplitMix(state: 903)
        var chunk = ""
        let first = LocalDate(year: 2022, month: 1, day: 3)!
        for c in 0..<children {
            var d = first.adding(days: Int(rng.next() % 1000))
            func add(_ kind: String, _ k: Int) { chunk += "C\(c),\(kind),\(d),C\(c)-\(k)\n" }
            add("became-looked-after", 0)
            add("placed-foster", 1)
            if c % 5 == 0 {
                d = d.adding(days: 150 + Int(rng.next() % 200)); add("placement-order", 2)
                d = d.adding(days: 30 + Int(rng.next() % 150)); add("match-agreed", 3)
                d = d.adding(days: 20 + Int(rng.next() % 60)); add(c % 50 == 0 ? "placed-for-adoption-with-foster-carers" : "placed-for-adoption", 4)
                d = d.adding(days: 90 + Int(rng.next() % 200)); add("adoption-order", 5)
            } else {
                d = d.adding(days: 20 + Int(rng.next() % 60)); add("review", 2)
            }
            if chunk.utf8.count > 1 << 20 {
                out.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        out.write(Data(chunk.utf8))
        try out.close()
        let store = try Store(path: "\(dir)/bench.sqlite", ruleSet: set)
        let now = zone.startOfDay(LocalDate(year: 2026, month: 11, day: 23)!)
        let t0 = monotonicSeconds()
        _ = try store.importFiles(["\(dir)/workers.csv", "\(dir)/cases.csv", "\(dir)/events.csv"], actor: { _ in "bench" }, now: now)
        print(String(format: "scorecard benchmark: %d children; %@ (imported in %.1f s)", children, dir as NSString, monotonicSeconds() - t0))
        var runs: [Double] = []
        var counted = 0
        for _ in 0..<3 {
            let t = monotonicSeconds()
            counted = 0
            try store.forEachAdoptedCase(from: zone.startOfDay(first), until: now) { _, events in
                if AdoptionScorecard.figures(of: events, ruleSet: set)?.a1Days != nil { counted += 1 }
            }
            runs.append(monotonicSeconds() - t)
        }
        runs.sort()
        print(String(format: "  scorecard       %d adopted children with A1: median %.2f s (best %.2f s)", counted, runs[1], runs[0]))
        print(String(format: "  memory          peak %.1f MiB", peakResidentMiB()))
    }
}
