import Foundation
import PermanenceCore
import Testing

/// `import --format ssda903` end to end: the shipped synthetic extract (config/demo/ssda903) into a real
/// SQLite file, the deadlines it gives child by child (worked out by hand from the regulations), next
/// month's extract applied on top, and bad extracts refused with the store unchanged.
@Suite struct SSDA903CLITests {
    let dir: URL
    let store: String
    let demo = CLITests.root.appendingPathComponent("config/demo/ssda903")

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-903-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = dir.appendingPathComponent("p.sqlite").path
    }

    func run(_ args: [String]) throws -> CLITests.Result {
        try CLITests.run(args + ["--config", CLITests.config, "--store", store])
    }

    func tables(_ names: [String] = ["header", "episodes", "reviews", "placed_for_adoption", "ad1"], from base: URL? = nil) -> [String] {
        names.map { (base ?? demo).appendingPathComponent("\($0).csv").path }
    }

    /// The "Next actions" lines of `explain CASE --at AT`.
    func next(_ ref: String, at: String) throws -> [String] {
        let r = try run(["explain", ref, "--at", at])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "Next actions") else { return [] }
        return Array(lines[(start + 1)...].prefix { $0.hasPrefix("  ") }).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func theDemoExtractGivesEachChildTheirStatutoryDates() throws {
        let r = try run(["import", "--format", "ssda903"] + tables())
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("episodes.csv: Episodes, 104 rows"), "\(r.stdout)")
        #expect(r.stdout.contains("imported: 50 new case(s), 404 new event(s), 0 corrected"), "\(r.stdout)")
        let review = "Looked-after child review (first within 20 working days, second within 3 months, then every 6 months)"
        // D001: looked after 6 January 2025; reviews 30 January, 24 April, 16 October: the next 6 months on.
        #expect(try next("D001", at: "2026-04-01").contains { $0.hasPrefix("due 2026-04-16: \(review)") })
        // D002: home in March, back in care 1 September: reviews start again (first 25 September), the second
        // within 3 months of it: Christmas Day (a statutory review date is not moved for bank holidays).
        #expect(try next("D002", at: "2025-12-15").contains { $0.hasPrefix("due 2025-12-25: \(review)") })
        // D007: at home under an interim care order from 6 October: weekly visits, first review within 20
        // working days (3 November), neither recorded.
        let d007 = try next("D007", at: "2025-12-15")
        #expect(d007.contains { $0.hasPrefix("OVERDUE since 2025-11-03: \(review)") }, "\(d007)")
        #expect(d007.contains { $0.hasPrefix("OVERDUE since 2025-10-13: Statutory visit, at home with a parent under an interim care order") }, "\(d007)")
        // D004: placed for adoption again on 10 November 2025 after a disruption; its first review (4 December)
        // within 4 weeks, the next 3 months after it. The CPPCR reviews are suspended while placed for adoption.
        // Between the two, the disruption (back to foster care on 19 May 2025) ended the adoptive placement:
        // the foster placement's statutory visit is due, and nothing of the adoption placement runs on.
        let between = try next("D004", at: "2025-07-01")
        #expect(between.contains { $0.hasPrefix("OVERDUE since 2025-05-26: Statutory visit (within 1 week of the placement") }, "\(between)")
        #expect(!between.contains { $0.contains("adoption") }, "\(between)")
        let d004 = try next("D004", at: "2026-02-20")
        #expect(d004.contains { $0.hasPrefix("due 2026-03-04: Review of arrangements") }, "\(d004)")
        #expect(!d004.contains { $0.contains(review) }, "\(d004)")
        // D005: adopted on 15 October 2025: no longer looked after, nothing due.
        #expect(try next("D005", at: "2025-12-15") == ["nothing due in the next four weeks"])
        // Only what deadlines need: no postcode, UPN or date of birth in the store.
        let sql = try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event WHERE note IS NOT NULL")
        #expect(sql == ["0"])
        #expect(try run(["audit", "verify"]).status == 0)
    }

    /// Next month's extract: the same rows add nothing; a corrected date supersedes the stored one (kept in
    /// the history); a row gone is reported, not deleted.
    @Test func nextMonthsExtractAppliesWhatChanged() throws {
        #expect(try run(["import", "--format", "ssda903"] + tables()).status == 0)
        let again = try run(["import", "--format", "ssda903"] + tables())
        #expect(again.stdout.contains("imported: 0 new case(s), 0 new event(s), 0 corrected, 404 already present"), "\(again.stdout)")
        let next = dir.appendingPathComponent("next")
        try FileManager.default.createDirectory(at: next, withIntermediateDirectories: true)
        for t in ["header", "placed_for_adoption", "ad1"] {
            try FileManager.default.copyItem(at: demo.appendingPathComponent("\(t).csv"), to: next.appendingPathComponent("\(t).csv"))
        }
        // D002 went home on 12 March, not 10 March; D001's review of 24 April is no longer in the extract.
        let episodes = try String(contentsOf: demo.appendingPathComponent("episodes.csv"), encoding: .utf8)
        #expect(episodes.contains("D002,03/02/2025,S,V2,N1,U6,PR1,10/03/2025,E4A"))
        try episodes.replacingOccurrences(of: "D002,03/02/2025,S,V2,N1,U6,PR1,10/03/2025,E4A", with: "D002,03/02/2025,S,V2,N1,U6,PR1,12/03/2025,E4A")
            .write(to: next.appendingPathComponent("episodes.csv"), atomically: true, encoding: .utf8)
        let reviews = try String(contentsOf: demo.appendingPathComponent("reviews.csv"), encoding: .utf8)
        try reviews.split(separator: "\n").filter { !$0.hasPrefix("D001,14/03/2017,24/04/2025") }.joined(separator: "\n").appending("\n")
            .write(to: next.appendingPathComponent("reviews.csv"), atomically: true, encoding: .utf8)
        let r = try run(["import", "--format", "ssda903"] + tables(from: next))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("0 new event(s), 1 corrected"), "\(r.stdout)")
        #expect(r.stderr.contains("903:D001:review:20250424"), "\(r.stderr)")
        let explain = try run(["explain", "D002", "--at", "2025-12-15"]).stdout
        #expect(explain.contains("2025-03-12  ceased-looked-after  [903:D002:ended:20250203~2]"), "\(explain)")
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event WHERE id = '903:D001:review:20250424'") == ["1"])
    }

    @Test func aBadExtractIsRefusedWholeAndLenientLeavesOutOnlyTheBadChild() throws {
        let bad = dir.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        let episodes = try String(contentsOf: demo.appendingPathComponent("episodes.csv"), encoding: .utf8)
        try episodes.replacingOccurrences(of: "D001,06/01/2025,S,V2,N1,U6", with: "D001,06/01/2025,S,V2,N1,Q9")
            .write(to: bad.appendingPathComponent("episodes.csv"), atomically: true, encoding: .utf8)
        // A child only in Reviews (its periods cannot be worked out at all).
        let reviews = try String(contentsOf: demo.appendingPathComponent("reviews.csv"), encoding: .utf8)
        try (reviews + "ZZ99,01/01/2015,20/01/2025,PN1\n").write(to: bad.appendingPathComponent("reviews.csv"), atomically: true, encoding: .utf8)
        let problems = dir.appendingPathComponent("problems.csv").path
        let refused = try run(["import", "--format", "ssda903", "--problems", problems] + tables(["episodes", "reviews"], from: bad))
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("episodes.csv:2: PLACE: child D001: unknown placement type 'Q9'\n"), "\(refused.stderr)")
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event") == ["0"])
        let refusedRows = try String(contentsOfFile: problems, encoding: .utf8)
        #expect(refusedRows.contains(",2,PLACE,D001,146,unknown placement type 'Q9',refused: nothing imported\n"), "\(refusedRows)")
        // Lenient: D001's placement type is set aside and D001 imported; only ZZ99 is left out.
        let lenient = try run(["import", "--format", "ssda903", "--lenient", "--problems", problems] + tables(["episodes", "reviews"], from: bad))
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(lenient.stderr.contains("episodes.csv:2: PLACE: child D001: unknown placement type 'Q9'; PLACE is set aside: a placement of a type not known (placed)"), "\(lenient.stderr)")
        #expect(lenient.stderr.contains("left out 1 child(ren) whose periods of care cannot be worked out"), "\(lenient.stderr)")
        #expect(lenient.stdout.contains("children: 51 in the extract: 49 imported, 1 imported with facts set aside, 1 left out"), "\(lenient.stdout)")
        #expect(lenient.stdout.contains("50 new case(s)"), "\(lenient.stdout)")
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM child_case WHERE ref = 'D001'") == ["1"])
        let rows = try String(contentsOfFile: problems, encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "file,line,column,child,code,message,action")
        #expect(rows.contains { $0.contains(",2,PLACE,D001,146,unknown placement type 'Q9',\"PLACE is set aside: a placement of a type not known (placed), visited") }, "\(rows)")
        #expect(rows.contains { $0.contains(",ZZ99,,not in the Episodes table; every child of the extract has episodes,child left out") }, "\(rows)")
        #expect(try FileManager.default.attributesOfItem(atPath: problems)[.posixPermissions] as? Int == 0o600)
        // What rests on the fact says so; the next extract, put right, withdraws it.
        let explained = try run(["explain", "D001", "--at", "2025-03-01"]).stdout
        #expect(explained.contains("Incomplete data: on 2025-01-06 the import set aside episodes.csv:2: PLACE: child D001: unknown placement type 'Q9'"), "\(explained)")
        #expect(explained.contains("rests on incomplete data: [903:D001:aside:PLACE:20250106]"), "\(explained)")
        #expect(try run(["import", "--format", "ssda903"] + tables(["episodes"])).status == 0)
        // (As known now: `explain --at` a past day shows the record as it stood then, before the withdrawal.)
        #expect(!(try run(["explain", "D001"])).stdout.contains("Incomplete data"))
        // Not a 903 table at all.
        let ours = try run(["import", "--format", "ssda903", CLITests.demoEvents])
        #expect(ours.status == 2)
        #expect(ours.stderr.contains("events.csv:1: not an SSDA903 table"), "\(ours.stderr)")
    }

    /// Through the inbox: the tables of an extract that arrive together are one import, told from the
    /// council's own CSV formats by their headers; a bad extract goes to rejected/ whole.
    @Test func theInboxTakesAnExtractAsOne() throws {
        let inbox = dir.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        for t in ["episodes", "reviews", "ad1"] {
            try FileManager.default.copyItem(at: demo.appendingPathComponent("\(t).csv"), to: inbox.appendingPathComponent("903-\(t).csv"))
        }
        let r = try run(["import", "--inbox", "--inbox-path", inbox.path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("SSDA903 extract (903-ad1.csv, 903-episodes.csv, 903-reviews.csv): 50 new case(s)"), "\(r.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: inbox.appendingPathComponent("processed").path).count == 3)
        // A bad extract: every table to rejected/, the bad one with its problem, the store unchanged.
        let episodes = try String(contentsOf: demo.appendingPathComponent("episodes.csv"), encoding: .utf8)
        try episodes.replacingOccurrences(of: "D001,06/01/2025,S,V2,N1,U6", with: "D001,06/01/2025,S,V2,N1,Q9")
            .write(to: inbox.appendingPathComponent("next-episodes.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: demo.appendingPathComponent("reviews.csv"), to: inbox.appendingPathComponent("next-reviews.csv"))
        let before = try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event")
        let bad = try run(["import", "--inbox", "--inbox-path", inbox.path])
        #expect(bad.status == 2)
        let rejected = try FileManager.default.contentsOfDirectory(atPath: inbox.appendingPathComponent("rejected").path).sorted()
        #expect(rejected.count == 4, "\(rejected)")
        let errors = try #require(rejected.first { $0.hasSuffix("next-episodes.csv.errors") })
        let text = try String(contentsOf: inbox.appendingPathComponent("rejected/\(errors)"), encoding: .utf8)
        #expect(text.contains("next-episodes.csv:2: PLACE: child D001: unknown placement type 'Q9'"), "\(text)")
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event") == before)
    }

    /// `[store] ssda903-lenient = true`: the inbox imports an extract with a bad field as `--lenient` does,
    /// listing what it set aside beside the table it is in.
    @Test func aLenientInboxLeavesOutTheBadChildAndSaysSo() throws {
        let config = dir.appendingPathComponent("lenient.toml")
        let text = try String(contentsOfFile: CLITests.config, encoding: .utf8)
        try text.replacingOccurrences(of: "\n[store]\n", with: "\n[store]\nssda903-lenient = true\n")
            .replacingOccurrences(of: "rules = \"rules.d\"", with: "rules = \"\(CLITests.root.path)/config/rules.d\"")
            .replacingOccurrences(of: "vocabulary = \"vocabulary.toml\"", with: "vocabulary = \"\(CLITests.root.path)/config/vocabulary.toml\"")
            .write(to: config, atomically: true, encoding: .utf8)
        let inbox = dir.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let episodes = try String(contentsOf: demo.appendingPathComponent("episodes.csv"), encoding: .utf8)
        try episodes.replacingOccurrences(of: "D001,06/01/2025,S,V2,N1,U6", with: "D001,06/01/2025,S,V2,N1,Q9")
            .write(to: inbox.appendingPathComponent("903-episodes.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: demo.appendingPathComponent("reviews.csv"), to: inbox.appendingPathComponent("903-reviews.csv"))
        let r = try CLITests.run(["import", "--inbox", "--inbox-path", inbox.path, "--config", config.path, "--store", store])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("50 new case(s)") && r.stdout.contains("fact(s) in 903-episodes.csv set aside: see processed/"), "\(r.stdout)")
        let processed = try FileManager.default.contentsOfDirectory(atPath: inbox.appendingPathComponent("processed").path).sorted()
        let note = try #require(processed.first { $0.hasSuffix("903-episodes.csv.set-aside") }, "\(processed)")
        let aside = try String(contentsOf: inbox.appendingPathComponent("processed/\(note)"), encoding: .utf8)
        #expect(aside.contains("903-episodes.csv:2: PLACE: child D001: unknown placement type 'Q9'; PLACE is set aside"), "\(aside)")
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM child_case WHERE ref = 'D001'") == ["1"])
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM child_case") == ["50"])
    }

    /// A series of short breaks (LS V3, each stay an episode) has the reg 48 reviews, not a 20-working-day
    /// review and a one-week visit for each stay.
    @Test func shortBreaksAreASeries() throws {
        let x = dir.appendingPathComponent("x")
        try FileManager.default.createDirectory(at: x, withIntermediateDirectories: true)
        try (SSDA903Columns.episodes
            + "\nX002,07/02/2025,S,V3,N1,U4,PR1,10/02/2025,E13,,,,\nX002,07/03/2025,S,V3,N1,U4,PR1,17/03/2025,E13,,,,\n")
            .write(to: x.appendingPathComponent("episodes.csv"), atomically: true, encoding: .utf8)
        let r = try run(["import", "--format", "ssda903"] + tables(["episodes"], from: x))
        #expect(r.status == 0, "\(r.stderr)")
        // The first stay began on Friday 7 February 2025: the first review within 3 months (7 May).
        let x002 = try next("X002", at: "2025-04-20")
        #expect(x002.contains { $0.hasPrefix("due 2025-05-07: Review of a series of short breaks") }, "\(x002)")
        #expect(!x002.contains { $0.contains("Looked-after child review") || $0.contains("within 1 week of the placement") }, "\(x002)")
    }

    /// Next year's return holds only the episodes open during its year: a child's first row there continues
    /// the period the store has open, and what the earlier years gave is not reported as gone.
    @Test func aYearlyReturnContinuesThePeriodsTheStoreHasOpen() throws {
        #expect(try run(["import", "--format", "ssda903"] + tables()).status == 0)
        let year = dir.appendingPathComponent("year")
        try FileManager.default.createDirectory(at: year, withIntermediateDirectories: true)
        try (SSDA903Columns.episodes + "\nD003,20/08/2025,P,C1,N1,U4,PR1,,,CARPL,,,\n")
            .write(to: year.appendingPathComponent("episodes.csv"), atomically: true, encoding: .utf8)
        try "CHILD,DOB,REVIEW,REVIEW_CODE\nD003,30/06/2019,29/01/2026,PN1\n".write(to: year.appendingPathComponent("reviews.csv"), atomically: true, encoding: .utf8)
        let r = try run(["import", "--format", "ssda903"] + tables(["episodes", "reviews"], from: year))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("imported: 0 new case(s), 1 new event(s), 0 corrected, 1 already present"), "\(r.stdout)")
        #expect(!r.stderr.contains("not in this one"), "\(r.stderr)")
        // Next year's file goes on from the adoptive placement the store has (D004, placed for adoption with
        // A6): the same carers under another code (RNE T) start no new placement, and so no new AAR clock.
        try (SSDA903Columns.episodes + "\nD004,01/04/2026,T,E1,N1,A5,PR1,,,,,,\n")
            .write(to: year.appendingPathComponent("episodes.csv"), atomically: true, encoding: .utf8)
        let adoptive = "SELECT group_concat(at, ',') FROM event WHERE case_ref = 'D004' AND kind = 'placed-for-adoption'"
        let before = try DaemonHarness.sqlite(store, adoptive)
        let same = try run(["import", "--format", "ssda903"] + tables(["episodes"], from: year))
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("0 new event(s)"), "\(same.stdout)")
        #expect(try DaemonHarness.sqlite(store, adoptive) == before)
        // A child the store has no open period for is imported all the same, its period's start not known: what
        // counts from it cannot be worked out, never overdue; the placement of 20 August 2025 is known.
        try (SSDA903Columns.episodes + "\nZ999,20/08/2025,P,C1,N1,U4,PR1,,,CARPL,,,\n")
            .write(to: year.appendingPathComponent("episodes.csv"), atomically: true, encoding: .utf8)
        let z = try run(["import", "--format", "ssda903"] + tables(["episodes"], from: year))
        #expect(z.status == 0, "\(z.stderr)")
        let z999 = try next("Z999", at: "2025-12-01")
        #expect(z999.contains { $0.hasPrefix("CANNOT BE WORKED OUT: Looked-after child review") && $0.contains("began before the data (it was already open on 2025-08-20)") }, "\(z999)")
        #expect(!z999.contains { $0.contains("OVERDUE") && $0.contains("review") }, "\(z999)")
        #expect(z999.contains { $0.hasPrefix("OVERDUE since 2025-08-27: Statutory visit (within 1 week of the placement") }, "\(z999)")
    }

    /// A council's first import is a yearly return whose children began their care years before it: each is
    /// imported with the start of its period not known. An older return imported afterwards supplies the start,
    /// once: the reviews are then worked out from it, and nothing is doubled.
    @Test func anOlderReturnFillsInTheStartOfAPeriod() throws {
        let recent = dir.appendingPathComponent("recent")
        let older = dir.appendingPathComponent("older")
        for d in [recent, older] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        // The return for the year from April 2025: the episode open then began on 3 March 2025 (RNE P).
        try (SSDA903Columns.episodes + "\nY001,03/03/2025,P,C2,N1,U4,PR1,,,CARPL,,,\n")
            .write(to: recent.appendingPathComponent("episodes.csv"), atomically: true, encoding: .utf8)
        try "CHILD,DOB,REVIEW,REVIEW_CODE\nY001,30/06/2019,10/06/2025,PN1\n".write(to: recent.appendingPathComponent("reviews.csv"), atomically: true, encoding: .utf8)
        let first = try run(["import", "--format", "ssda903"] + tables(["episodes", "reviews"], from: recent))
        #expect(first.status == 0, "\(first.stderr)")
        // One review in the data: the next within 3 months of it (10 September), the shorter of the intervals that
        // could follow it (it may have been the first review).
        let review = "Looked-after child review (first within 20 working days, second within 3 months, then every 6 months)"
        #expect(try next("Y001", at: "2025-09-01").contains { $0.hasPrefix("due 2025-09-10: \(review)") })
        let before = try run(["explain", "Y001", "--at", "2025-09-01"])
        #expect(before.stdout.contains("Not known: the period of care open on 2025-03-03 began before the data"), "\(before.stdout)")
        let json = try run(["explain", "Y001", "--at", "2025-09-01", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let unknown = object?["unknown_starts"] as? [[String: Any]] ?? []
        #expect(unknown.map { $0["id"] as? String } == ["903:Y001:lac-before:20250303"], "\(json.stdout)")
        // The older return: looked after from 6 January 2025 (first review 30 January), moved on 3 March under a
        // care order.
        try (SSDA903Columns.episodes + "\nY001,06/01/2025,S,C1,N1,U6,PR1,03/03/2025,X1,CARPL,,,\nY001,03/03/2025,P,C2,N1,U4,PR1,,,CARPL,,,\n")
            .write(to: older.appendingPathComponent("episodes.csv"), atomically: true, encoding: .utf8)
        try "CHILD,DOB,REVIEW,REVIEW_CODE\nY001,30/06/2019,30/01/2025,PN1\n"
            .write(to: older.appendingPathComponent("reviews.csv"), atomically: true, encoding: .utf8)
        let second = try run(["import", "--format", "ssda903"] + tables(["episodes", "reviews"], from: older))
        #expect(second.status == 0, "\(second.stderr)")
        // The newer return's review (10 June) is after what the older one covers: not reported as gone.
        #expect(!second.stderr.contains("not in this one"), "\(second.stderr)")
        // Reviews 30 January and 10 June (the second, late: due 30 April): the next 6 months after it (10 December).
        let y = try next("Y001", at: "2025-11-20")
        #expect(y.contains { $0.hasPrefix("due 2025-12-10: \(review)") }, "\(y)")
        #expect(!y.contains { $0.hasPrefix("CANNOT BE WORKED OUT") && $0.contains("review") }, "\(y)")
        #expect(!(try run(["explain", "Y001", "--at", "2025-11-20"])).stdout.contains("Not known:"))
        // Each event once.
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event WHERE case_ref = 'Y001' AND kind = 'review'") == ["2"])
        // Two placements (6 January and the move of 3 March), the second given by both returns and stored once.
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event WHERE case_ref = 'Y001' AND kind = 'placed-foster'") == ["2"])
        // The same recent return again changes nothing and reports nothing gone.
        let again = try run(["import", "--format", "ssda903"] + tables(["episodes", "reviews"], from: recent))
        #expect(again.status == 0 && again.stdout.contains("0 new event(s)"), "\(again.stdout)")
        #expect(!again.stderr.contains("not in this one"), "\(again.stderr)")
    }

    /// `[store] ssda903-case-prefix`: the inbox and the command line make the same case references; a prefix
    /// that would break event ids is refused with its line.
    @Test func theConfiguredPrefixNamesTheCasesAndABadOneIsRefused() throws {
        let copy = dir.appendingPathComponent("config")
        try FileManager.default.copyItem(at: CLITests.root.appendingPathComponent("config"), to: copy)
        let config = copy.appendingPathComponent("permanenced.toml")
        let text = try String(contentsOf: config, encoding: .utf8)
        try text.replacingOccurrences(of: "[store]\n", with: "[store]\nssda903-case-prefix = \"LA-\"\n").write(to: config, atomically: true, encoding: .utf8)
        let inbox = dir.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: demo.appendingPathComponent("episodes.csv"), to: inbox.appendingPathComponent("episodes.csv"))
        let r = try CLITests.run(["import", "--inbox", "--inbox-path", inbox.path, "--config", config.path, "--store", store])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM child_case WHERE ref LIKE 'LA-D%'") == ["50"])
        try text.replacingOccurrences(of: "[store]\n", with: "[store]\nssda903-case-prefix = \"L:A\"\n").write(to: config, atomically: true, encoding: .utf8)
        let bad = try CLITests.run(["check-config", "--config", config.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("ssda903-case-prefix") && bad.stderr.contains("no spaces, commas, quotes, colons or tildes"), "\(bad.stderr)")
    }

    /// A child whose case was closed, and whose rows changed since: refused, naming the child; with
    /// --lenient, left out and listed, and every other child imported.
    @Test func aClosedCaseIsRefusedOrWithLenientLeftOut() throws {
        #expect(try run(["import", "--format", "ssda903"] + tables(["episodes", "reviews"])).status == 0)
        #expect(try run(["case", "close", "D006", "--at", "2026-01-01"]).status == 0)
        let next = dir.appendingPathComponent("next")
        try FileManager.default.createDirectory(at: next, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: demo.appendingPathComponent("episodes.csv"), to: next.appendingPathComponent("episodes.csv"))
        let reviews = try String(contentsOf: demo.appendingPathComponent("reviews.csv"), encoding: .utf8)
        try (reviews + "D006,08/08/2012,01/03/2026,PN1\nD001,14/03/2017,10/04/2026,PN1\n").write(to: next.appendingPathComponent("reviews.csv"), atomically: true, encoding: .utf8)
        let before = try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event")
        let strict = try run(["import", "--format", "ssda903"] + tables(["episodes", "reviews"], from: next))
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("child D006: case 'D006' is closed"), "\(strict.stderr)")
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event") == before)
        let lenient = try run(["import", "--format", "ssda903", "--lenient"] + tables(["episodes", "reviews"], from: next))
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(lenient.stdout.contains("1 new event(s)"), "\(lenient.stdout)")
        #expect(lenient.stderr.contains("left out 1 child(ren)") && lenient.stderr.contains("D006"), "\(lenient.stderr)")
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event WHERE case_ref = 'D006' AND at >= 1767225600") == ["0"])
    }
}

/// The 903 Episodes header, for files the tests write.
enum SSDA903Columns {
    static let episodes = SSDA903Extract.Table.episodes.columns.joined(separator: ",")
}
