import Foundation
import Testing

/// What a person reads about the four nations' children, end to end with the built binary: what closed a
/// deadline in words, the events that count for nothing, and one bad row reported once.
@Suite struct FourNationsCLITests {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("four-nations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ lines: [String]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let cases = [
        "case_ref,plan,calendar,social-worker,team-manager",
        "NI1,long-term-fostering,northern-ireland,w.adeyemi,r.hughes",
        "EN1,reunification,england-and-wales,w.adeyemi,r.hughes",
    ]
    static let workers = [
        "worker_id,name,email,roles,manager_id",
        "r.hughes,Rhys Hughes,r.hughes@example.org,team-manager,",
        "w.adeyemi,Wale Adeyemi,w.adeyemi@example.org,social-worker,r.hughes",
    ]
    static let events = [
        "case_ref,event,at,event_id",
        "NI1,became-looked-after,2026-01-05,la",
        "NI1,placed-foster,2026-01-05,p1",
        "NI1,visit,2026-01-09,v1",
        "NI1,placement-ended,2026-01-20,end",
        // After the placement ended: meets nothing.
        "NI1,visit,2026-01-25,v2",
        "EN1,became-looked-after,2026-01-05,en-la",
        "EN1,returned-home,2026-02-04,home",
        // The child was no longer looked after: a review then counts for nothing.
        "EN1,review,2026-02-10,r1",
    ]

    @Test func explainSaysWhatClosedADeadlineAndWhatCountsForNothing() throws {
        let cases = try write("cases.csv", Self.cases)
        let events = try write("events.csv", Self.events)
        let r = try CLITests.run(["explain", "NI1", "--events", events, "--cases", cases, "--config", CLITests.config, "--at", "2026-02-01"])
        #expect(r.status == 0, "\(r.stderr)")
        // SR 1996/467 reg 6(1)(a): the monthly visit due 9 February was no longer needed: the placement ended.
        #expect(r.stdout.contains("no longer needed: the placement ended (placement-ended [end] at 2026-01-20)"), "\(r.stdout)")
        #expect(r.stdout.contains("2026-01-25  visit  [v2]\n      counts for nothing: it can count only within a placement or series of short breaks, and none was open then: the last ended on 2026-01-20, when the placement ended (placement-ended)"), "\(r.stdout)")

        let j = try CLITests.run(["explain", "NI1", "--events", events, "--cases", cases, "--config", CLITests.config, "--at", "2026-02-01", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        let uncounted = object["uncounted_events"] as? [[String: Any]] ?? []
        #expect(uncounted.map { $0["id"] as? String } == ["v2"], "\(j.stdout)")
        #expect((uncounted.first?["reason"] as? String)?.contains("none was open then") == true)
        let deadlines = object["deadlines"] as? [[String: Any]] ?? []
        let closed = deadlines.first { $0["rule"] as? String == "ni-foster-visits" && $0["cycle"] as? Int == 2 }
        #expect(closed?["closed_words"] as? String == "the placement ended", "\(String(describing: closed))")

        // A review after the child went home: said, with the reason, in text and JSON.
        let en = try CLITests.run(["explain", "EN1", "--events", events, "--cases", cases, "--config", CLITests.config, "--at", "2026-03-01"])
        #expect(en.stdout.contains("[r1]\n      counts for nothing: it can count only within a period of care"), "\(en.stdout)")
        #expect(en.stdout.contains("when the child went home and stopped being looked after (returned-home)"), "\(en.stdout)")
        // The first review (20 working days from 5 January: 2 February) was due the day the child went home: it
        // was missed, then closed when the child went home.
        #expect(en.stdout.contains("missed, then closed: the child went home and stopped being looked after (returned-home [home]"), "\(en.stdout)")
    }

    @Test func oneBadCaseRowIsReportedOnce() throws {
        var rows = Self.cases
        rows[2] = "EN1,reunificaton,england-and-wales,w.adeyemi,r.hughes"
        let cases = try write("cases.csv", rows)
        let events = try write("events.csv", Self.events)
        let r = try CLITests.run(["explain", "NI1", "--events", events, "--cases", cases, "--config", CLITests.config, "--at", "2026-02-01"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cases.csv:3: plan: unknown plan 'reunificaton'"), "\(r.stderr)")
        // Not a cascade: neither the bad row's events nor the other case's are "unknown".
        #expect(!r.stderr.contains("unknown case"), "\(r.stderr)")

        // The same files imported into a store: refused whole, the one row reported, nothing written.
        let store = dir.appendingPathComponent("p.sqlite").path
        let workers = try write("workers.csv", Self.workers)
        let imported = try CLITests.run(["import", workers, cases, events, "--config", CLITests.config, "--store", store])
        #expect(imported.status != 0)
        #expect(imported.stderr.contains("cases.csv:3: plan: unknown plan 'reunificaton'"), "\(imported.stderr)")
        #expect(!imported.stderr.contains("unknown case"), "\(imported.stderr)")
        let list = try CLITests.run(["case", "list", "--all", "--config", CLITests.config, "--store", store])
        #expect(!list.stdout.contains("NI1"), "\(list.stdout)")
    }

    @Test func importWarnsAboutWhatCountsForNothing() throws {
        let cases = try write("cases.csv", Self.cases)
        let events = try write("events.csv", Self.events)
        let store = dir.appendingPathComponent("p.sqlite").path
        let workers = try write("workers.csv", Self.workers)
        let r = try CLITests.run(["import", workers, cases, events, "--config", CLITests.config, "--store", store])
        #expect(r.status == 0, "\(r.stderr)")
        // Imported as recorded, and each such row is named with its file and line.
        #expect(r.stderr.contains("warning: \(events):6: visit for case NI1 counts for nothing"), "\(r.stderr)")
        #expect(r.stderr.contains("warning: \(events):9: review for case EN1 counts for nothing"), "\(r.stderr)")
        #expect(r.stderr.components(separatedBy: "counts for nothing").count == 3, "\(r.stderr)")
        // Rows not grouped by case: NI1's visit comes before its placement, with another case between. Checked
        // on the whole history, the visit counts: no warning.
        let scattered = try write("scattered.csv", [
            "case_ref,event,at,event_id",
            "NI1,visit,2026-01-09,s-v1",
            "EN1,became-looked-after,2026-01-05,s-la",
            "NI1,became-looked-after,2026-01-05,s-ni-la",
            "NI1,placed-foster,2026-01-05,s-p1",
        ])
        let other = dir.appendingPathComponent("q.sqlite").path
        let s = try CLITests.run(["import", workers, cases, scattered, "--config", CLITests.config, "--store", other])
        #expect(s.status == 0 && !s.stderr.contains("counts for nothing"), "\(s.stderr)")
        // A second import of the same rows adds nothing and warns about nothing.
        let again = try CLITests.run(["import", events, "--config", CLITests.config, "--store", store])
        #expect(again.status == 0 && !again.stderr.contains("counts for nothing"), "\(again.stderr)")
    }
}
