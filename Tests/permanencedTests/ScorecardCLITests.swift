import Foundation
import Testing

/// `permanenced report scorecard`, the scorecard in `explain` and in the agenda, end to end with a real store.
@Suite struct ScorecardCLITests {
    let dir: URL
    let store: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("scorecard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = dir.appendingPathComponent("p.sqlite").path
    }

    func run(_ args: [String]) throws -> CLITests.Result {
        try CLITests.run(args + ["--config", CLITests.config, "--store", store])
    }

    func write(_ name: String, _ lines: [String]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func theReportAndWhatAWorkerSees() throws {
        let workers = try write("workers.csv", [
            "worker_id,name,email,roles,manager_id",
            "tm.north,North Manager,n@example.org,team-manager,", "tm.south,South Manager,s@example.org,team-manager,",
            "ff.one,Family Finder,f@example.org,family-finder,tm.north",
        ])
        let cases = try write("cases.csv", [
            "case_ref,plan,calendar,team-manager,family-finder",
            "A1,adoption,england-and-wales,tm.north,ff.one", "A2,adoption,england-and-wales,tm.north,ff.one",
            "A3,adoption,england-and-wales,tm.south,ff.one", "W1,adoption,england-and-wales,tm.south,ff.one",
        ])
        let events = try write("events.csv", [
            "case_ref,event,at,event_id",
            // A1: 273 days to move in (8 January to 7 October 2024), A2 63 days; adopted 3 March 2025.
            "A1,became-looked-after,2024-01-08,a1-la", "A1,placed-foster,2024-01-08,a1-p", "A1,placement-order,2024-07-01,a1-po",
            "A1,match-agreed,2024-09-02,a1-m", "A1,placed-for-adoption,2024-10-07,a1-pa", "A1,adoption-order,2025-03-03,a1-ao",
            // A2: a foster carer adoption: with the carers from 5 February 2024 (A10 28 days; A1 273); A2 0 (matched first).
            "A2,became-looked-after,2024-01-08,a2-la", "A2,placed-residential,2024-01-08,a2-p1", "A2,placed-foster,2024-02-05,a2-p2",
            "A2,match-agreed,2024-06-03,a2-m", "A2,placement-order,2024-07-01,a2-po",
            "A2,placed-for-adoption-with-foster-carers,2024-10-07,a2-pa", "A2,adoption-order,2025-06-02,a2-ao",
            // A3: adopted in 2026: outside the window.
            "A3,became-looked-after,2024-01-08,a3-la", "A3,placement-order,2024-07-01,a3-po", "A3,match-agreed,2024-09-02,a3-m",
            "A3,placed-for-adoption,2024-10-07,a3-pa", "A3,adoption-order,2026-01-05,a3-ao",
            // W1: waiting: looked after from 1 June 2025, placement order 1 September 2025.
            "W1,became-looked-after,2025-06-01,w1-la", "W1,placed-foster,2025-06-01,w1-p", "W1,best-interest-decision,2025-07-01,w1-bid",
            "W1,placement-order,2025-09-01,w1-po",
        ])
        let imported = try run(["import", workers, cases, events])
        #expect(imported.status == 0, "\(imported.stderr)")

        // The year 2025: A1 and A2 (A3 was adopted in 2026).
        let csv = try run(["report", "scorecard", "--from", "2025-01-01", "--until", "2026-01-01", "--csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = csv.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("case,team,entered_care,moved_in,authority_to_place,match,a1_days,a2_days,a10_days,a3_under_14_months") == true)
        #expect(rows.contains("A1,tm.north,2024-01-08,2024-10-07,2024-07-01,2024-09-02,273,63,273,yes,2025-03-03,no"), "\(rows)")
        #expect(rows.contains("A2,tm.north,2024-01-08,2024-10-07,2024-07-01,2024-06-03,273,0,28,yes,2025-06-02,yes"), "\(rows)")
        #expect(rows.count == 3, "\(rows)")

        let json = try run(["report", "scorecard", "--from", "2025-01-01", "--until", "2026-01-01", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let authority = object["authority"] as? [String: Any]
        // Means to the nearest day: A1 (273 + 273) / 2; A10 (273 + 28) / 2 = 150.5 -> 151; A2 (63 + 0) / 2 = 31.5 -> 32.
        #expect(authority?["children"] as? Int == 2 && authority?["a1_days"] as? Int == 273, "\(json.stdout)")
        #expect(authority?["a10_days"] as? Int == 151 && authority?["a2_days"] as? Int == 32, "\(json.stdout)")
        let teams = object["teams"] as? [[String: Any]] ?? []
        #expect(teams.map { $0["team"] as? String } == ["tm.north"], "\(json.stdout)")

        let text = try run(["report", "scorecard", "--from", "2025-01-01", "--until", "2027-01-01"])
        #expect(text.stdout.contains("authority: 3 child(ren)"), "\(text.stdout)")
        #expect(text.stdout.contains("team tm.south: 1 child(ren)"), "\(text.stdout)")

        // W1, waiting: explain gives the days so far and the day each threshold passes.
        let explain = try run(["explain", "W1", "--at", "2026-06-01"])
        // 1 June 2025 to 1 June 2026: 365 days; 426 days after 1 June 2025 is 1 August 2026. 121 days after 1
        // September 2025 is 31 December 2025.
        #expect(explain.stdout.contains("A1 and A10: waiting to move in, day 365 since entering care; 426 days pass on 2026-08-01"), "\(explain.stdout)")
        #expect(explain.stdout.contains("A2: waiting for a match, day 273 since the authority to place; 121 days pass on 2025-12-31"), "\(explain.stdout)")
        let ej = try #require(try JSONSerialization.jsonObject(with: Data(try run(["explain", "W1", "--at", "2026-06-01", "--json"]).stdout.utf8)) as? [String: Any])
        let sc = ej["scorecard"] as? [String: Any]
        #expect(sc?["a1_days_so_far"] as? Int == 365 && sc?["a1_passes_on"] as? String == "2026-08-01", "\(String(describing: sc))")
        // And in the agenda, on the family finder's deadline: day 399 of 426 on 5 July 2026.
        let agenda = try run(["agenda", "--case", "W1", "--at", "2026-07-05", "--within", "8w", "--format", "csv"])
        #expect(agenda.stdout.contains(",scorecard-a1,1,family-finder,ff.one,,routine,A1 day 399 of 426"), "\(agenda.stdout)")
        // A bad window is refused with its option named.
        let bad = try run(["report", "scorecard", "--from", "2025-13-01", "--until", "2026-01-01"])
        #expect(bad.status == 2 && bad.stderr.contains("--from"), "\(bad.stderr)")
    }
}
