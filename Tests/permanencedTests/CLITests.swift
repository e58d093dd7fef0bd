import Foundation
import Testing

/// End-to-end tests that run the built `permanenced` binary as a user would.
@Suite struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let config = root.appendingPathComponent("config/permanenced.toml").path
    static let demoEvents = root.appendingPathComponent("config/demo/events.csv").path
    static let demoCases = root.appendingPathComponent("config/demo/cases.csv").path

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The binary built next to the test bundle.
    static var binary: URL {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let beside = dir.appendingPathComponent("permanenced")
        return FileManager.default.fileExists(atPath: beside.path) ? beside : root.appendingPathComponent(".build/debug/permanenced")
    }

    /// Runs the binary built next to the test bundle.
    static func run(_ args: [String], env: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment["PERMANENCED_CONFIG"] = nil
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("permanenced-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func calcPrintsOneLine() throws {
        var r = try Self.run(["calc", "2026-10-23T14:00", "72h"])
        #expect(r.status == 0)
        #expect(r.stdout == "2026-10-26T13:00:00+00:00\n")
        r = try Self.run(["calc", "2026-12-14", "+20wd", "--calendar", "scotland"])
        #expect(r.stdout == "2027-01-15\n")  // no configured closures without a config file
        // The council's Christmas Eve closure counts for local procedures, never for statutory working days.
        r = try Self.run(["calc", "2025-12-01", "+20wd", "--config", Self.config])
        #expect(r.stdout == "2026-01-02\n")
        r = try Self.run(["calc", "2025-12-01", "+20wd", "--config", Self.config, "--working-days", "statutory"])
        #expect(r.stdout == "2025-12-31\n")
        r = try Self.run(["calc", "2026-12-14", "+20wd", "--calendar", "scotland", "--config", Self.config])
        #expect(r.stdout == "2027-01-18\n")  // Christmas Eve closure from the shipped config
        r = try Self.run(["calc", "2026-12-14", "-3wd"])
        #expect(r.stdout == "2026-12-09\n")
        r = try Self.run(["calc", "2026-07-01T12:00:00Z", "1mo"])
        #expect(r.stdout == "2026-08-01T13:00:00+01:00\n")
    }

    @Test func calcJSONShowsTheSteps() throws {
        let r = try Self.run(["calc", "2026-12-14", "20wd", "--calendar", "scotland", "--json"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(object?["result"] as? String == "2027-01-15")
        let steps = object?["steps"] as? [String] ?? []
        #expect(steps.contains { $0.contains("2nd January (substitute day)") })
        #expect(steps.contains { $0.contains("Boxing Day (substitute day)") })
        let dst = try Self.run(["calc", "2026-10-23T14:00", "72h", "--json"])
        #expect(dst.stdout.contains("clocks went back"))
    }

    @Test(arguments: [
        ["calc", "2026-12-14", "72h"],
        ["calc", "2026-02-30", "1d"],
        ["calc", "2026-12-14", "5x"],
        ["calc", "2026-12-14"],
        ["calc", "2026-12-14", "1d", "--calendar", "wales"],
        ["calc", "2026-12-14", "1d", "extra"],
    ])
    func calcRejectsInvalidInputWithStatus2(args: [String]) throws {
        let r = try Self.run(args)
        #expect(r.status == 2, "\(args): \(r.stderr)")
        #expect(!r.stderr.isEmpty)
        #expect(r.stdout.isEmpty)
    }

    @Test func checkConfigSummarisesAValidConfiguration() throws {
        let r = try Self.run(["check-config", "--config", Self.config])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("OK"))
        #expect(r.stdout.contains("rule packs       11"))
        #expect(r.stdout.contains("wales-statutory: 15 rules (default) [wales] statutory"))
        #expect(r.stdout.contains("northern-ireland-statutory: 9 rules (default) [northern-ireland] statutory"))
        // Northern Ireland's pack says what it still leaves out: the adoption agency's reviews and visits.
        #expect(r.stdout.contains("warning          Northern Ireland: northern-ireland-statutory: the adoption agency's reviews and visits"))
    }

    /// An admin's file of overrides: `--show-rule` prints the merged rule with the file:line of every key;
    /// a switched-off rule is listed with where; an override of a rule that is gone is a warning, not a failure.
    @Test func showRuleGivesTheMergedRuleAndWhereEachKeyComesFrom() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("config")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("config"), to: copy)
        let main = copy.appendingPathComponent("permanenced.toml").path
        let local = copy.appendingPathComponent("rules.d/zz-local.toml").path
        try """
            # Our own changes to shipped rules.
            [override.post-placement-visit]
            remind = ["48h", "24h"]
            severity = "important"

            [override.exception-report-week-40]
            enabled = false

            [override.a-rule-from-0-8]
            enabled = false
            """.write(toFile: local, atomically: true, encoding: .utf8)
        var r = try Self.run(["check-config", "--config", main, "--show-rule", "post-placement-visit"])
        #expect(r.status == 0, "\(r.stderr)")
        let pack = copy.appendingPathComponent("rules.d/leicestershire-family-finding.toml").path
        let packLines = try String(contentsOfFile: pack, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let dueLine = packLines.firstIndex { $0.hasPrefix("due = \"72h\"") }! + 1
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("remind = [\"48h\", \"24h\"]") && $0.hasSuffix("# \(local):3 (override)") }, "\(r.stdout)")
        #expect(lines.contains { $0.hasPrefix("severity = \"important\"") && $0.hasSuffix("# \(local):4 (override)") }, "\(r.stdout)")
        #expect(lines.contains { $0.hasPrefix("due = \"72h\"") && $0.hasSuffix("# \(pack):\(dueLine)") }, "\(r.stdout)")
        r = try Self.run(["check-config", "--config", main])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("switched off: exception-report-week-40 (\(local):7)"), "\(r.stdout)")
        #expect(r.stdout.contains("warning          \(local):9: override.a-rule-from-0-8: no pack has a rule 'a-rule-from-0-8'"), "\(r.stdout)")
        #expect(r.stdout.contains("overrides        1 rule(s) changed: post-placement-visit (remind, severity)"), "\(r.stdout)")
        // explain says which of the case's timescales is not being tracked, and why.
        r = try Self.run(["explain", "LEI-2026-0142", "--events", Self.demoEvents, "--cases", Self.demoCases, "--config", main, "--at", "2026-11-23T10:00"])
        #expect(r.stdout.contains("Switched off: exception-report-week-40 ("), "\(r.stdout)")
        #expect(r.stdout.contains("by \(local):7: this case is not tracked for it"), "\(r.stdout)")
        r = try Self.run(["check-config", "--config", main, "--show-rule", "exception-report-week-40"])
        #expect(r.stdout.hasPrefix("# rule exception-report-week-40 of pack"), "\(r.stdout)")
        #expect(r.stdout.contains("SWITCHED OFF"))
        #expect(r.stdout.contains("enabled = false"))
        r = try Self.run(["check-config", "--config", main, "--show-rule", "post-placement-vist"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no rule 'post-placement-vist' (did you mean 'post-placement-visit'?)"), "\(r.stderr)")
    }

    /// Problems that once had no place: an unknown zone names its line; a template that is not UTF-8 is not
    /// "missing" but not UTF-8, at its line.
    @Test func everyConfigurationProblemNamesItsFileAndLine() throws {
        let dir = try temporaryDirectory()
        let copy = dir.appendingPathComponent("config")
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("config"), to: copy)
        let main = copy.appendingPathComponent("permanenced.toml")
        let text = try String(contentsOf: main, encoding: .utf8)
        try text.replacingOccurrences(of: "time-zone = \"Europe/London\"", with: "time-zone = \"Europe/Lundon\"").write(to: main, atomically: true, encoding: .utf8)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("time-zone") }! + 1
        var r = try Self.run(["check-config", "--config", main.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("permanenced.toml:\(line): time-zone: 'Europe/Lundon' not found"), "\(r.stderr)")
        try text.write(to: main, atomically: true, encoding: .utf8)
        let template = copy.appendingPathComponent("templates/urgent-text.mustache")
        try (Data("Hello\nline two caf".utf8) + Data([0xE9]) + Data("\n".utf8)).write(to: template)
        r = try Self.run(["check-config", "--config", main.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("urgent-text.mustache:2: not UTF-8 text"), "\(r.stderr)")
        #expect(!r.stderr.contains("missing"))
    }

    @Test func checkConfigListsEveryProblemWithFileLineAndKey() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = Self.root.appendingPathComponent("config")
        try FileManager.default.copyItem(at: source.appendingPathComponent("vocabulary.toml"), to: dir.appendingPathComponent("vocabulary.toml"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("rules.d"), withIntermediateDirectories: true)
        try """
            time-zone = "Europe/London"
            """.write(to: dir.appendingPathComponent("permanenced.toml"), atomically: true, encoding: .utf8)
        try """
            [pack]
            id = "local"
            title = "Local"
            source = "doc"

            [[rule]]
            id = "r1"
            title = "One"
            anchor = "placed-for-adoptin"
            due = "72hours"
            met-by = "visit"
            owner = "permanence-worker"
            remnd = ["24h"]

            [[rule]]
            id = "r1"
            title = "Duplicate"
            anchor = "placed-for-adoption"
            due = "1w"
            met-by = "visit"
            owner = "social-worker"
            """.write(to: dir.appendingPathComponent("rules.d/local.toml"), atomically: true, encoding: .utf8)
        let r = try Self.run(["check-config", "--config", dir.appendingPathComponent("permanenced.toml").path])
        #expect(r.status == 1)
        let file = dir.appendingPathComponent("rules.d/local.toml").path
        #expect(r.stderr.contains("\(file):10: rule.r1.due: '72hours' is not an offset"))
        #expect(r.stderr.contains("\(file):13: rule.r1.remnd: unknown key (did you mean 'remind'?)"))
        #expect(r.stderr.contains("\(file):16: rule.r1.id: duplicate rule id; first defined in \(file):7"))
        #expect(r.stderr.contains("\(file):9: rule.r1.anchor: anchor event 'placed-for-adoptin' is not defined"))
        #expect(r.stderr.contains("\(file):12: rule.r1.owner: unknown role 'permanence-worker'"))
        #expect(r.stderr.contains("5 problems found; nothing was changed"))
    }

    @Test func explainShowsTheArithmeticStatusAndSource() throws {
        let r = try Self.run([
            "explain", "LEI-2026-0142", "--events", Self.demoEvents, "--cases", Self.demoCases, "--config", Self.config,
            "--at", "2026-11-23T10:00",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("placed-for-adoption 2026-10-23 14:00 BST + 72h = 2026-10-26 13:00 GMT, clocks went back"))
        #expect(r.stdout.contains("DONE ON TIME  post-placement-visit"))
        // A stage that has not started is waiting, not a problem: one line per event that would start it.
        #expect(!r.stdout.contains("CANNOT COMPUTE"), "\(r.stdout)")
        #expect(r.stdout.contains("Not started yet"))
        #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix("  WAITING  for ") && $0.contains("profile-on-linkmaker") }, "\(r.stdout)")
        #expect(r.stdout.contains("source: 000 Leicestershire"))
    }

    /// The words of `explain` for people: what starts a waiting rule, a move booked ahead, a step done too
    /// early, an earliest date, an extended deadline, and the same summary in JSON.
    @Test func explainSaysWhatEachLineMeans() throws {
        let dir = try temporaryDirectory()
        let cases = dir.appendingPathComponent("cases.csv"), events = dir.appendingPathComponent("events.csv")
        try """
            case_ref,plan,calendar,packs,social-worker,permanence-sw,iro,team-manager
            X1,adoption,england-and-wales,,sw1,,iro1,tm1
            X2,adoption,england-and-wales,england-practitioners-guide,sw1,,iro1,tm1
            S1,adoption,scotland,leicestershire-family-finding,sw1,,iro1,tm1
            """.write(to: cases, atomically: true, encoding: .utf8)
        try """
            case_ref,event,at
            X2,proceedings-issued,2026-01-05
            X2,timetable-extended,2026-06-01
            X2,timetable-extended,2026-08-01
            X1,placed-foster,2026-01-05T15:00
            X1,placed-for-adoption,2026-03-02T11:00
            X1,visit,2026-03-04T10:00
            X1,review,2026-03-20
            X1,adoption-application-lodged,2026-04-21
            X1,placed-foster,2026-12-01T10:00
            S1,placement-order,2026-01-05
            """.write(to: events, atomically: true, encoding: .utf8)
        func explain(_ extra: [String] = [], case ref: String = "X1") throws -> Result {
            try Self.run(["explain", ref, "--events", events.path, "--cases", cases.path, "--config", Self.config, "--at", "2026-04-25T10:00"] + extra)
        }
        let r = try explain()
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        // A rule counted from the start of a period names the events that start it.
        #expect(!lines.contains { $0.hasPrefix("  WAITING  for :") }, "\(r.stdout)")
        #expect(!lines.contains { $0.hasPrefix("Warning:") }, "\(r.stdout)")
        // A Scottish case given only English packs is told, in explain too, that its law is not tracked.
        let scottish = try Self.run([
            "explain", "S1", "--events", events.path, "--cases", cases.path, "--config", Self.config, "--at", "2026-04-25T10:00", "--json",
        ])
        let warning = (try JSONSerialization.jsonObject(with: Data(scottish.stdout.utf8)) as? [String: Any])?["statutory_warning"] as? String
        #expect(warning?.contains("no statutory rule pack applies to Scotland") == true, "\(scottish.stdout) \(scottish.stderr)")
        #expect(lines.contains { $0.hasPrefix("  WAITING  for became-looked-after: ") && $0.contains("cppcr-reviews") }, "\(r.stdout)")
        // 181 days from 5 January is 5 July; two 8-week extensions (s32(8)) take it to 25 October.
        let court = try explain(case: "X2").stdout
        #expect(court.contains("proceedings-issued 2026-01-05 + 181d = 2026-07-05 (Sunday, end of day), extended 2 times to 2026-10-25 (Sunday, end of day)"), "\(court)")
        // Lodged in week 7: done too early, never "met"; the earliest date is a day, not its end.
        #expect(r.stdout.contains("done too early: adoption-application-lodged"))
        #expect(r.stdout.contains("+ 10w = 2026-05-11 (Monday, from the start of the day)"), "\(r.stdout)")
        // The move booked for December has closed nothing yet.
        #expect(r.stdout.contains("will end with placed-foster"), "\(r.stdout)")
        #expect(!r.stdout.contains("missed, then closed by placed-foster"), "\(r.stdout)")

        let j = try explain(["--json"])
        let object = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any]
        let next = object?["next_actions"] as? [String: Any]
        let actions = next?["actions"] as? [[String: Any]] ?? []
        #expect(actions.contains { $0["rule"] as? String == "court-timetable" } == false)  // 25 October: not within four weeks
        #expect(actions.allSatisfy { $0["due"] is String && $0["status"] is String })
        let findings = next?["findings"] as? [[String: Any]] ?? []
        #expect(findings.contains { $0["finding"] as? String == "too-early" && $0["rule"] as? String == "adoption-application-not-before" }, "\(j.stdout)")
        // The text's lines and the JSON's come from one summary.
        let openText = lines.drop { $0 != "Next actions" }.dropFirst().prefix { $0.hasPrefix("  ") && !$0.hasPrefix("  one ") }
        #expect(openText.count == actions.count, "\(openText) \(actions)")
    }

    @Test func explainJSON() throws {
        let r = try Self.run([
            "explain", "LEI-2026-0177", "--events", Self.demoEvents, "--cases", Self.demoCases, "--config", Self.config,
            "--at", "2026-11-23T10:00", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let deadlines = object?["deadlines"] as? [[String: Any]] ?? []
        let exception = deadlines.first { $0["rule"] as? String == "exception-report-week-40" }
        #expect(exception?["status"] as? String == "overdue")  // the lodged application was withdrawn
        #expect(exception?["due"] as? String == "2026-11-17")
        let ignored = object?["ignored_events"] as? [[String: Any]] ?? []
        #expect(ignored.contains { $0["id"] as? String == "LEI177-04" && $0["reason"] as? String == "withdrawn" })
    }

    @Test func simulateListsNotificationsInTimeOrder() throws {
        let r = try Self.run([
            "simulate", "--events", Self.demoEvents, "--cases", Self.demoCases, "--config", Self.config,
            "--from", "2026-11-23", "--until", "2026-12-01", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let list = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(!list.isEmpty)
        let times = list.compactMap { $0["at"] as? String }
        #expect(times == times.sorted())
        for n in list {
            for key in ["at", "case", "rule", "stage", "due", "recipients"] { #expect(n[key] != nil, "missing \(key)") }
        }
        let urgent = list.filter { $0["case"] as? String == "LEI-2026-0177" && $0["rule"] as? String == "post-placement-visit" }
        #expect(urgent.map { $0["stage"] as? String ?? "" } == ["reminder", "reminder", "due", "escalation", "overdue", "escalation"])
        #expect(urgent.first?["at"] as? String == "2026-11-23T11:00:00+00:00")
    }

    @Test func badInputChangesNothingAndNamesFileLineAndColumn() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let events = dir.appendingPathComponent("events.csv")
        try "case_ref,event,at\nLEI-2026-0142,visit,2026-11-40\nNOPE,visit,2026-11-20\n".write(to: events, atomically: true, encoding: .utf8)
        let r = try Self.run([
            "simulate", "--events", events.path, "--cases", Self.demoCases, "--config", Self.config,
            "--from", "2026-11-23", "--until", "2026-12-01",
        ])
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("\(events.path):2: at: '2026-11-40' is not a valid date"))
        #expect(r.stderr.contains("\(events.path):3: case_ref: unknown case 'NOPE'"))
    }

    @Test func vocabularyMatchesTheCommittedDocument() throws {
        let r = try Self.run(["vocabulary", "--config", Self.config])
        #expect(r.status == 0)
        let committed = try String(contentsOf: Self.root.appendingPathComponent("docs/events.md"), encoding: .utf8)
        #expect(r.stdout == committed, "docs/events.md is stale: run permanenced vocabulary --config config/permanenced.toml > docs/events.md")
    }

    @Test func holidaysListsTheCalendar() throws {
        let r = try Self.run(["holidays", "--calendar", "northern-ireland", "--year", "2026", "--config", Self.config])
        #expect(r.status == 0)
        #expect(r.stdout.contains("2026-07-13  Mon  Battle of the Boyne (Orangemen’s Day) (substitute day)"))
    }
}
