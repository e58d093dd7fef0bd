import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceStore

/// Imports a synthetic SSDA903 extract (Episodes and Reviews with years of history per child) into a fresh
/// store, every deadline computed: a large authority, or the whole country.
struct SSDA903Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssda903",
        abstract: "Write a synthetic 903 extract for N children with Y years of history; time its import into a fresh store.")

    @Option(help: "Children.") var children: Int = 2_000
    @Option(help: "Years of history per child.") var years: Int = 5
    @Option(help: "Configuration directory.") var config: String = "config"
    @Option(help: "Working directory for the files and the store (default: a new temporary directory).") var work: String?

    func run() throws {
        let set = try loadShipped(config)
        let dir = work ?? FileManager.default.temporaryDirectory.appendingPathComponent("permanenced-bench-903-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let (episodes, reviews) = try writeExtract(dir: dir)
        let store = try Store(path: "\(dir)/bench.sqlite", ruleSet: set)
        let now = set.zone.startOfDay(LocalDate(year: 2026, month: 11, day: 23)!)
        let before = currentResidentMiB()
        let peakBefore = peakResidentMiB()
        let t0 = monotonicSeconds()
        let r = try store.importSSDA903(["\(dir)/episodes.csv", "\(dir)/reviews.csv"], prefix: "", lenient: false, actor: "bench", now: now)
        let elapsed = monotonicSeconds() - t0
        print("ssda903 benchmark: \(children) children, \(years) years of history; \(dir)")
        print(String(format: "  extract         %d episode rows, %d review rows", episodes, reviews))
        print(String(format: "  import          %.2f s: %d cases, %d events, every deadline computed (%d cases recomputed)", elapsed, r.newCases, r.newEvents, r.casesRecomputed))
        print(String(format: "  memory          %.1f MiB resident before the import (peak %.1f MiB writing the files), peak %.1f MiB", before, peakBefore, peakResidentMiB()))
    }

    /// Each child: one to three periods of care over the years, one to four placements in each, reviews
    /// every 3 to 6 months while looked after.
    private func writeExtract(dir: String) throws -> (Int, Int) {
        var rng = SplitMix(state: 903)
        var ep = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        var rv = "CHILD,DOB,REVIEW,REVIEW_CODE\n"
        var episodes = 0, reviews = 0
        let end = LocalDate(year: 2026, month: 11, day: 1)!
        let places = ["U4", "U6", "U3", "K2", "A6", "P1", "U5"]
        func fmt(_ d: LocalDate) -> String {
            let (y, m, dd) = d.components
            return String(format: "%02d/%02d/%04d", dd, m, y)
        }
        for c in 0..<children {
            var day = end.adding(days: -years * 365 + Int(rng.next() % 200))
            let periods = 1 + Int(rng.next() % 3)
            for p in 0..<periods {
                let start = day
                let moves = 1 + Int(rng.next() % 4)
                var decom = start
                for m in 0..<moves {
                    let length = 60 + Int(rng.next() % 300)
                    let next = decom.adding(days: length)
                    let last = m == moves - 1
                    let closes = last && (p < periods - 1 || next < end)
                    let dec = last ? (closes ? fmt(next) : "") : fmt(next)
                    let rec = last ? (closes ? "E4A" : "") : "X1"
                    ep += "C\(c),\(fmt(decom)),\(m == 0 ? "S" : "P"),C2,N1,\(places[Int(rng.next() % UInt64(places.count))]),PR1,\(dec),\(rec),,,,\n"
                    episodes += 1
                    if last && !closes { decom = end; break }
                    decom = next
                }
                var r = start.adding(days: 15)
                while r < decom && r < end {
                    rv += "C\(c),01/01/2012,\(fmt(r)),PN1\n"
                    reviews += 1
                    r = r.adding(days: 90 + Int(rng.next() % 90))
                }
                day = decom.adding(days: 30 + Int(rng.next() % 200))
                if day >= end { break }
            }
        }
        try ep.write(toFile: "\(dir)/episodes.csv", atomically: true, encoding: .utf8)
        try rv.write(toFile: "\(dir)/reviews.csv", atomically: true, encoding: .utf8)
        return (episodes, reviews)
    }
}
