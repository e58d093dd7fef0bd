import Foundation
import Testing

/// The store commands end to end: the built binary against a real SQLite file.
@Suite struct StoreCLITests {
    let dir: URL
    let store: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cli-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = dir.appendingPathComponent("p.sqlite").path
    }

    func run(_ args: [String]) throws -> CLITests.Result {
        try CLITests.run(args + ["--config", CLITests.config, "--store", store])
    }

    func demo() throws {
        let root = CLITests.root.appendingPathComponent("config/demo")
        for f in ["workers.csv", "cases.csv", "events.csv"] {
            let r = try run(["import", root.appendingPathComponent(f).path])
            #expect(r.status == 0, "\(f): \(r.stderr)")
        }
    }

    /// A store file that exists but is empty (truncated) is refused by every command, reading or writing, and
    /// never initialised: it would report nothing due for every child it held.
    @Test func anEmptyStoreFileIsRefusedNotInitialised() throws {
        try demo()
        try Data().write(to: URL(fileURLWithPath: store))
        for f in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + f) }
        for args in [["status"], ["agenda", "--overdue"], ["import", CLITests.demoEvents]] {
            let r = try run(args)
            #expect(r.status == 1, "\(args): \(r.stdout)")
            #expect(r.stderr.contains("the store file is empty, so it is not a store") && r.stderr.contains("Restore it from a backup"), "\(r.stderr)")
        }
        #expect(try FileManager.default.attributesOfItem(atPath: store)[.size] as? Int == 0)
    }

    /// Reading commands never write: not with other rules (they say the stored deadlines are stale), and
    /// the same rules reached through another path are the same rules.
    @Test func readingCommandsNeverWriteAndTheFingerprintIsTheRulesContent() throws {
        try demo()
        func auditCount() throws -> Int {
            let r = try run(["status"])
            let line = r.stdout.split(separator: "\n").first { $0.hasPrefix("audit log") } ?? ""
            return Int(line.split(separator: " ").first { Int($0) != nil } ?? "") ?? -1
        }
        let before = try auditCount()
        #expect(before > 0)
        // The same configuration by another path (a copy of the directory): nothing to recompute, no entry.
        let copy = dir.appendingPathComponent("config-copy")
        try FileManager.default.copyItem(at: CLITests.root.appendingPathComponent("config"), to: copy)
        let other = copy.appendingPathComponent("permanenced.toml").path
        for config in [other, CLITests.config, other] {
            let r = try CLITests.run(["status", "--config", config, "--store", store])
            #expect(r.status == 0 && !r.stderr.contains("other rules"), "\(r.stderr)")
        }
        #expect(try auditCount() == before)
        // Other rules: status, agenda and explain read without recomputing, and say so.
        let pack = copy.appendingPathComponent("rules.d/leicestershire-family-finding.toml")
        try (try String(contentsOf: pack, encoding: .utf8)).replacingOccurrences(of: "due = \"72h\"", with: "due = \"48h\"")
            .write(to: pack, atomically: true, encoding: .utf8)
        for args in [["status"], ["agenda", "--at", "2026-11-23"], ["explain", "LEI-2026-0142"], ["audit", "verify"]] {
            let r = try CLITests.run(args + ["--config", other, "--store", store])
            #expect(r.status == 0, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("computed with other rules"), "\(args): \(r.stderr)")
        }
        #expect(try auditCount() == before)
        // A writing command with the new rules recomputes, once, and says so in the audit log.
        let record = try CLITests.run(["record", "LEI-2026-0142", "visit", "--at", "2026-11-20T10:00", "--config", other, "--store", store])
        #expect(record.status == 0, "\(record.stderr)")
        let status = try CLITests.run(["status", "--config", other, "--store", store])
        #expect(!status.stderr.contains("other rules"))
        // The recomputation is put down to the person whose command did it, not to "permanenced".
        let login = String(cString: getpwuid(getuid())!.pointee.pw_name)
        let actors = try DaemonHarness.sqlite(store, "SELECT actor FROM audit WHERE action = 'rules.changed'")
        #expect(actors == ["cli:\(login)"], "\(actors)")
    }

    @Test func demoImportAgendaStatusAndAudit() throws {
        try demo()
        let again = try run(["import", CLITests.demoEvents])
        #expect(again.stdout.contains("(0 new or changed, 89 already present)"))
        let agenda = try run(["agenda", "--team", "r.hughes", "--at", "2026-11-23T08:00", "--format", "json"])
        #expect(agenda.status == 0, "\(agenda.stderr)")
        let items = try JSONSerialization.jsonObject(with: Data(agenda.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(items.contains { $0["case"] as? String == "LEI-2026-0177" && $0["rule"] as? String == "post-placement-visit" })
        let dues = items.compactMap { $0["due"] as? String }.map { String($0.prefix(10)) }
        #expect(dues == dues.sorted())
        let csv = try run(["agenda", "--overdue", "--format", "csv", "--at", "2026-11-23"])
        #expect(csv.stdout.hasPrefix("due,status,case_ref,rule,cycle,owner_role,owner,covered_by,severity,scorecard\n"))
        let status = try run(["status"])
        #expect(status.stdout.contains("8 open"))
        #expect(status.stdout.contains("schema v10-one-assignment-index"))
        #expect(status.stdout.contains("daemon           has never run on this store"))
        let audit = try run(["audit", "verify"])
        #expect(audit.status == 0)
        #expect(audit.stdout.contains("audit chain intact"))
    }

    @Test func recordWithdrawAndExplainFromTheStore() throws {
        try demo()
        var r = try run(["record", "LEI-2026-0177", "visit", "--at", "2026-11-23T15:00", "--id", "V1", "--note", "home visit"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try run(["explain", "LEI-2026-0177", "--at", "2026-11-24T09:00"])
        #expect(r.stdout.contains("met by visit [V1]"))
        #expect(r.stdout.contains("Assignments"))
        #expect(r.stdout.contains("Notified so far"))
        r = try run(["withdraw", "V1", "--reason", "wrong child"])
        #expect(r.status == 0)
        func visitStatus(at: String) throws -> (String?, [String: Any]?) {
            let r = try run(["explain", "LEI-2026-0177", "--at", at, "--json"])
            let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let visit = (object?["deadlines"] as? [[String: Any]])?.first { $0["rule"] as? String == "post-placement-visit" }
            return (visit?["status"] as? String, object)
        }
        // As the case stood on 24 November the visit counted: the withdrawal came later (now).
        #expect(try visitStatus(at: "2026-11-24T12:00").0 == "met-on-time")
        // Once withdrawn, the visit is overdue again.
        let (after, object) = try visitStatus(at: "2099-01-01")
        #expect(after == "overdue")
        #expect((object?["assignments"] as? [Any])?.isEmpty == false)
    }

    @Test(arguments: [
        (["record", "NOPE-1", "visit"], "unknown case 'NOPE-1'"),
        (["record", "LEI-2026-0142", "vist"], "unknown event 'vist' (did you mean 'visit'?)"),
        (["record", "LEI-2026-0142", "visit", "--at", "2026-13-01"], "--at: '2026-13-01' is not a valid date"),
        (["case", "assign", "LEI-2026-0142", "--role", "wizard", "--worker", "s.patel"], "unknown role 'wizard'"),
        (["case", "assign", "LEI-2026-0142", "--role", "iro", "--worker", "ghost"], "unknown worker 'ghost'"),
        (["withdraw", "NOPE", "--reason", "x"], "unknown event 'NOPE'"),
        (["worker", "add", "s.patel", "--name", "Dup"], "already exists"),
        // An address the relay cannot take without SMTPUTF8 is refused now, not given up at send time.
        (["worker", "add", "s.llewellyn", "--name", "Siân Llewellyn", "--email", "siân.llewellyn@example.org"],
         "--email: 'siân.llewellyn@example.org' is not an address the mail relay can take"),
        (["worker", "update", "s.patel", "--email", "sîan@example.org"], "is not an address the mail relay can take"),
    ])
    func badInputIsRefusedWithStatus2(args: [String], message: String) throws {
        try demo()
        // Counts of cases, events, deadlines and audit entries (the size line varies with the write-ahead log).
        func counts() throws -> [Substring] { try run(["status"]).stdout.split(separator: "\n").dropFirst().map { $0 } }
        let before = try counts()
        let r = try run(args)
        #expect(r.status == 2, "\(args): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(try counts() == before)
    }

    @Test func anAbsentOwnersCoverIsShownInTheAgenda() throws {
        try demo()
        #expect(try run(["worker", "absent", "j.osei", "--from", "2026-11-20", "--to", "2026-11-27", "--deputy", "s.patel"]).status == 0)
        let r = try run(["agenda", "--worker", "j.osei", "--at", "2026-11-23T09:00", "--format", "json"])
        let items = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(!items.isEmpty)
        #expect(items.allSatisfy { $0["covered_by"] as? String == "s.patel" })
        let later = try run(["agenda", "--worker", "j.osei", "--at", "2026-11-30T09:00", "--format", "json"])
        let laterItems = try JSONSerialization.jsonObject(with: Data(later.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(laterItems.allSatisfy { $0["covered_by"] is NSNull })
    }

    func json(_ r: CLITests.Result) throws -> Any {
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    /// `worker list` shows absences now and booked; `worker back` ends the current one early (the history of
    /// who covered before stays) and leaves the booked one alone.
    @Test func workerListAndEndingAnAbsenceEarly() throws {
        try demo()
        #expect(try run(["worker", "absent", "j.osei", "--from", "2026-11-20", "--to", "2026-11-27", "--deputy", "s.patel"]).status == 0)
        #expect(try run(["worker", "absent", "j.osei", "--from", "2026-12-21", "--to", "2026-12-24"]).status == 0)
        func absences(at: String) throws -> [[String: Any]] {
            let all = try json(try run(["worker", "list", "--json", "--at", at])) as? [[String: Any]] ?? []
            return all.first { $0["id"] as? String == "j.osei" }?["absences"] as? [[String: Any]] ?? []
        }
        #expect(try absences(at: "2026-11-23").compactMap { $0["to"] as? String } == ["2026-11-27", "2026-12-24"])
        let table = try run(["worker", "list", "--at", "2026-11-23"])
        #expect(table.stdout.contains("away 2026-11-20 to 2026-11-27, covered by s.patel; booked 2026-12-21 to 2026-12-24, covered by their manager"), "\(table.stdout)")
        let back = try run(["worker", "back", "j.osei", "--on", "2026-11-24"])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stdout == "j.osei is back on 2026-11-24 (was away 2026-11-20 to 2026-11-27)\n")
        #expect(try absences(at: "2026-11-24").compactMap { $0["from"] as? String } == ["2026-12-21"])
        func coveredBy(_ at: String) throws -> [String?] {
            let items = try json(try run(["agenda", "--worker", "j.osei", "--at", at, "--json"])) as? [[String: Any]] ?? []
            return items.map { $0["covered_by"] as? String }
        }
        #expect(try coveredBy("2026-11-23T09:00").allSatisfy { $0 == "s.patel" })
        let after = try coveredBy("2026-11-24T09:00")
        #expect(!after.isEmpty && after.allSatisfy { $0 == nil })
        let again = try run(["worker", "back", "j.osei", "--on", "2026-11-25"])
        #expect(again.status == 2)
        #expect(again.stderr.contains("j.osei is not recorded as away on 2026-11-25; nothing was changed"), "\(again.stderr)")
        #expect(try DaemonHarness.sqlite(store, "SELECT detail FROM audit WHERE action = 'worker.back'") == ["back 2026-11-24; was away 2026-11-20..2026-11-27"])
    }

    /// `case list` with its counts; a case closed in error is reopened with its workers and deadlines back.
    @Test func caseListAndReopeningAClosedCase() throws {
        try demo()
        func listed(_ extra: [String] = []) throws -> [String: [String: Any]] {
            let all = try json(try run(["case", "list", "--json", "--at", "2026-11-23T10:00"] + extra)) as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: all.map { ($0["case"] as! String, $0) })
        }
        let open = try listed()
        #expect(open.count == 8)
        // The next deadline as agenda shows it: a whole-day one by its day, not the midnight after it.
        let agendaItems = try json(try run(["agenda", "--case", "LEI-2026-0177", "--at", "2026-11-23T10:00", "--within", "52w", "--json"])) as? [[String: Any]] ?? []
        let firstAhead = agendaItems.first { $0["status"] as? String != "overdue" }?["due"] as? String
        #expect(firstAhead != nil)
        #expect(open["LEI-2026-0177"]?["next_due"] as? String == firstAhead)
        #expect(open["LEI-2026-0177"]?["overdue"] as? Int ?? 0 > 0)
        #expect(open["LEI-2026-0142"]?["closed"] is NSNull)
        #expect(try run(["case", "close", "LEI-2026-0142", "--at", "2026-11-23T10:00"]).status == 0)
        #expect(try listed()["LEI-2026-0142"] == nil)
        #expect(try listed(["--all"])["LEI-2026-0142"]?["closed"] as? String == "2026-11-23T10:00:00+00:00")
        func agenda() throws -> Int { (try json(try run(["agenda", "--case", "LEI-2026-0142", "--at", "2026-11-30", "--json"])) as? [Any])?.count ?? -1 }
        #expect(try agenda() == 0)
        let early = try run(["case", "reopen", "LEI-2026-0142", "--at", "2026-11-22T10:00"])
        #expect(early.status == 2)
        #expect(early.stderr.contains("cannot be reopened before then"), "\(early.stderr)")
        let future = try run(["case", "reopen", "LEI-2026-0142", "--at", "2099-01-01"])
        #expect(future.status == 2)
        #expect(future.stderr.contains("cannot be reopened in the future"), "\(future.stderr)")
        let r = try run(["case", "reopen", "LEI-2026-0142", "--at", "2026-11-24T09:00"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("w.adeyemi (social-worker)"), "\(r.stdout)")
        #expect(try agenda() > 0)
        let owners = try DaemonHarness.sqlite(store, "SELECT worker_id FROM assignment WHERE case_ref = 'LEI-2026-0142' AND role = 'social-worker' AND to_at IS NULL")
        #expect(owners == ["w.adeyemi"])
        let twice = try run(["case", "reopen", "LEI-2026-0142"])
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("case 'LEI-2026-0142' is open; nothing was changed"))
        #expect(try run(["audit", "verify"]).status == 0)
    }

    @Test func statusAsJSON() throws {
        try demo()
        let s = try json(try run(["status", "--json", "--at", "2026-11-23T08:00"])) as? [String: Any] ?? [:]
        #expect(s["at"] as? String == "2026-11-23T08:00:00+00:00")
        #expect((s["cases"] as? [String: Any])?["open"] as? Int == 8)
        #expect((s["deadlines"] as? [String: Any])?["overdue"] is Int)
        #expect((s["daemon"] as? [String: Any])?["state"] as? String == "never-run")
        #expect((s["store"] as? [String: Any])?["schema"] as? String == "v10-one-assignment-index")
        #expect((s["rules"] as? [String: Any])?["count"] as? Int ?? 0 > 50)
        #expect((s["warnings"] as? [String] ?? []).contains { $0.contains("Northern Ireland") })
        // The same counts as the text.
        let text = try run(["status", "--at", "2026-11-23T08:00"]).stdout
        let overdue = (s["deadlines"] as? [String: Any])?["overdue"] as? Int ?? -1
        #expect(text.contains(", \(overdue) overdue,"), "\(text)")
    }

    @Test func readingCommandsDoNotCreateAStore() throws {
        let r = try run(["agenda"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no store at"))
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test func anEventBeforeTheCaseOpenedIsRefused() throws {
        try demo()
        #expect(try run(["case", "open", "NEW-1", "--plan", "adoption", "--opened", "2026-11-01"]).status == 0)
        let r = try run(["record", "NEW-1", "placed-for-adoption", "--at", "2026-10-01T10:00"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("before case 'NEW-1' was opened"))
    }

    @Test func theInboxImportsGoodFilesAndRejectsBadOnesWithReasons() throws {
        try demo()
        let inbox = dir.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try "case_ref,event,at,event_id\nLEI-2026-0142,visit,2026-11-20T10:00,IN-1\n".write(
            to: inbox.appendingPathComponent("a-good.csv"), atomically: true, encoding: .utf8)
        try "case_ref,event,at,event_id\nLEI-2026-0142,visit,2026-11-20T10:00,IN-2\nLEI-2026-0142,teleport,2026-11-21,IN-3\n".write(
            to: inbox.appendingPathComponent("b-bad.csv"), atomically: true, encoding: .utf8)
        let r = try run(["import", "--inbox", "--inbox-path", inbox.path])
        #expect(r.status == 2)
        let processed = try FileManager.default.contentsOfDirectory(atPath: inbox.appendingPathComponent("processed").path)
        let rejected = try FileManager.default.contentsOfDirectory(atPath: inbox.appendingPathComponent("rejected").path)
        #expect(processed.count == 1 && processed[0].hasSuffix("a-good.csv"))
        #expect(rejected.count == 2)
        let errors = try #require(rejected.first { $0.hasSuffix(".errors") })
        let text = try String(contentsOf: inbox.appendingPathComponent("rejected/\(errors)"), encoding: .utf8)
        #expect(text.contains("b-bad.csv:3: event: unknown event 'teleport'"))
        let login = String(cString: getpwuid(getuid())!.pointee.pw_name)
        let actors = try DaemonHarness.sqlite(store, "SELECT actor FROM audit WHERE action LIKE 'import.%' AND actor LIKE 'inbox:%'")
        #expect(actors.count == 1 && actors[0].hasSuffix("a-good.csv by cli:\(login)"), "\(actors)")
        let mode = try FileManager.default.attributesOfItem(atPath: inbox.appendingPathComponent("rejected/\(errors)").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // IN-2 was in the rejected file: not in the store.
        #expect(try run(["withdraw", "IN-2", "--reason", "x"]).stderr.contains("unknown event 'IN-2'"))
        #expect(try run(["withdraw", "IN-1", "--reason", "x"]).status == 0)
    }

    @Test func twoProcessesWritingAtOnceBothSucceed() throws {
        try demo()
        let binaryDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var binary = binaryDir.appendingPathComponent("permanenced").path
        if !FileManager.default.fileExists(atPath: binary) { binary = CLITests.root.appendingPathComponent(".build/debug/permanenced").path }
        // Two shell loops, each recording 15 events through its own process per event, at the same time.
        let script = (0..<2).map { p in
            "(for i in $(seq 1 15); do \(binary) record LEI-2026-0142 visit --at 2026-11-2\(p + 1)T1$((i % 10)):0$((i % 6)) --id P\(p)-$i --config \(CLITests.config) --store \(store) >/dev/null || echo FAIL; done) &"
        }.joined(separator: "\n") + "\nwait\n"
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", script]
        let out = Pipe()
        let err = Pipe()
        shell.standardOutput = out
        shell.standardError = err
        try shell.run()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        #expect(!o.contains("FAIL"), "\(e)")
        #expect(!e.contains("locked"), "\(e)")
        let status = try run(["status"]).stdout
        #expect(status.contains("\(89 + 30) events"))
        #expect(try run(["audit", "verify"]).status == 0)
    }

    /// Each change leaves the audit chain's head in the real journal, and `audit verify` compares the chain
    /// with it: a cut tail is found even when the head file beside the store was made to agree.
    @Test func theJournalKeepsTheAuditHeadAndVerifyUsesIt() throws {
        try demo()
        let path = URL(fileURLWithPath: store).resolvingSymlinksInPath().standardizedFileURL.path
        let heads = try DaemonHarness.waitForJournal(["MESSAGE_ID=e6fdaa7f1822488d97a88130e62900be", "AUDIT_STORE=\(path)"], timeout: 10) { $0.count >= 3 }
        // One head per import (each its own transaction), however many entries it added.
        #expect(heads.count == 3)
        let last = try #require(heads.last?["AUDIT_SEQ"] as? String)
        let rows = try DaemonHarness.sqlite(store, "SELECT seq, hash FROM audit ORDER BY seq")
        #expect(rows.last?.hasPrefix("\(last)\t") == true, "journal \(last), store \(rows.last ?? "")")
        #expect(heads.last?["AUDIT_HASH"] as? String == rows.last?.split(separator: "\t").last.map(String.init))
        let intact = try run(["audit", "verify"])
        #expect(intact.status == 0)
        #expect(intact.stdout.contains("3 head(s) in the journal, the newest at entry \(last)"), "\(intact.stdout)")
        // Cut the tail and write a head file that agrees with the cut chain.
        try DaemonHarness.sqlite(store, "DELETE FROM audit WHERE seq > 2; SELECT COUNT(*) FROM audit")
        let second = rows[1].split(separator: "\t")
        try "\(second[0]) \(second[1]) 1\n".write(toFile: store + ".audit-head", atomically: true, encoding: .utf8)
        let cut = try run(["audit", "verify"])
        #expect(cut.status == 1)
        #expect(cut.stderr.contains("the tail was cut: the journal records entry \(last)"), "\(cut.stderr)")
    }

    /// Several files are one import: given in any order they go in workers first, and a bad row in any of
    /// them leaves the store exactly as it was (no cases without their events, no half of an export).
    @Test func severalFilesAreOneImportAllOrNothing() throws {
        let root = CLITests.root.appendingPathComponent("config/demo")
        let files = ["events.csv", "cases.csv", "workers.csv"].map { root.appendingPathComponent($0).path }
        let cases = try String(contentsOfFile: files[1], encoding: .utf8)
        let bad = dir.appendingPathComponent("cases.csv").path
        try (cases + "LEI-2026-9999,X.Y.,adoption,no-such-calendar,,,,,,,,,,,\n").write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try run(["import", files[0], bad, files[2]])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("\(bad):"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing imported from any of the 3 files"), "\(refused.stderr)")
        let empty = try run(["status"])
        #expect(empty.stdout.contains(" 0 events") || empty.stdout.contains("0 cases"), "\(empty.stdout)")
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event") == ["0"])
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM worker") == ["0"])
        // The good files, events first on the command line: workers and cases still go in before them.
        let good = try run(["import"] + files)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try DaemonHarness.sqlite(store, "SELECT COUNT(*) FROM event") == ["89"])
        #expect(good.stdout.split(separator: "\n").count == 3)
        #expect(try run(["audit", "verify"]).status == 0)
        // Each file's audit entry counts the cases it changed, also those recomputed at the end.
        let details = try DaemonHarness.sqlite(store, "SELECT action, detail FROM audit WHERE action LIKE 'import.%' ORDER BY seq")
        #expect(details.map { String($0.prefix { $0 != "\t" }) } == ["import.workers", "import.cases", "import.events"], "\(details)")
        let counted = details.compactMap { $0.split(separator: " ").last.flatMap { Int($0.dropFirst("cases=".count)) } }
        #expect(counted.count == 3 && counted[1] > 0 && counted[2] > 0, "\(details)")
        // A name that is not there: the caller's mistake, status 2, nothing imported.
        let typo = try run(["import", files[0], dir.appendingPathComponent("no-such.csv").path])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("no-such.csv: no such file"), "\(typo.stderr)")
    }
}
