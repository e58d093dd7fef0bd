import Foundation
import Testing

/// `permanenced run` end to end: the real binary, a real systemd-journald (started by scripts/test),
/// a notify socket this test reads, and the journal read back with `journalctl -o json`.
@Suite(.serialized) struct DaemonTests {
    func seed(_ h: DaemonHarness, _ refs: [String], dueIn seconds: Double, through: String = "import") throws {
        try h.seed(refs, dueIn: seconds, through: through)
    }

    @Test func notifiesAtTheMomentThroughTheJournalAndStopsCleanly() throws {
        try DaemonHarness.requireJournald()
        let h = try DaemonHarness()
        let ref = "D1-\(UUID().uuidString.prefix(8))"
        try seed(h, ["\(ref)-0"], dueIn: DaemonHarness.farOff)  // the store exists before the daemon starts
        try #require(try h.start() != nil, "no READY=1; log:\n\(h.log)")
        let socket = try #require(h.notify)
        #expect(socket.messages.contains { $0.contains("READY=1") && $0.contains("STATUS=1 open case") })

        // Recorded by another process (the CLI) while the daemon sleeps; due 4 seconds later.
        let recordedAt = Date()
        try seed(h, ["\(ref)-1"], dueIn: 4)
        let due = recordedAt.addingTimeInterval(4)
        let entries = try DaemonHarness.waitForJournal(["CASE_REF=\(ref)-1"], timeout: 20) { $0.count >= 2 }
        let overdue = try #require(entries.first { $0["STAGE"] as? String == "overdue" }, "log:\n\(h.log)")
        #expect(overdue["PRIORITY"] as? String == "3")  // warning, one louder for an urgent rule
        #expect(overdue["MESSAGE_ID"] as? String == "febd0cc193c1411e9a50a75d9ef7f926")
        #expect(overdue["RULE_ID"] as? String == DaemonHarness.testRule)
        #expect(overdue["OWNER"] as? String == "sw")
        #expect(overdue["RECIPIENTS"] as? String == "permanence-sw=sw")
        #expect((overdue["DUE_AT"] as? String)?.count == 25)
        #expect((overdue["MESSAGE"] as? String)?.hasPrefix("Overdue: ") == true)
        #expect(overdue["LATE"] == nil)
        #expect(!(overdue["MESSAGE"] as? String ?? "").contains("X.Y."))  // no initials unless the admin asks
        let escalation = try #require(entries.first { $0["STAGE"] as? String == "escalation" })
        #expect(escalation["RECIPIENTS"] as? String == "team-manager=tm,permanence-sw=sw")
        // Sent at its moment: within the timer's leeway and a second of the due time (whole seconds).
        let sentAt = Double(overdue["_SOURCE_REALTIME_TIMESTAMP"] as? String ?? "0")! / 1_000_000
        #expect(abs(sentAt - due.timeIntervalSince1970) < 2.0, "sent \(sentAt - due.timeIntervalSince1970) s from due")

        // A file dropped in the inbox is imported and scheduled within seconds.
        try seed(h, ["\(ref)-2"], dueIn: 3, through: "inbox")
        let dropped = try DaemonHarness.waitForJournal(["CASE_REF=\(ref)-2", "STAGE=overdue"], timeout: 15) { !$0.isEmpty }
        #expect(dropped.count == 1, "log:\n\(h.log)")
        #expect(FileManager.default.fileExists(atPath: "\(h.inbox)/processed"))

        // Watchdog pings from the working loop (WATCHDOG_USEC=2s: a ping every second), and status.
        #expect(socket.wait(for: 5) { $0.contains("WATCHDOG=1") } != nil)
        let status = try h.cli(["status"])
        #expect(status.stdout.contains("running (pid \(h.process!.processIdentifier))"), "\(status.stdout)")
        #expect(status.stdout.contains("0 pending"))

        h.signal(SIGTERM)
        #expect(socket.wait(for: 10) { $0.contains("STOPPING=1") } != nil)
        #expect(h.waitForExit(timeout: 20) == 0)
        #expect(try h.cli(["status"]).stdout.contains("not running (stopped cleanly)"))
    }

    @Test func sighupWithABrokenConfigKeepsTheOldOneRunning() throws {
        try DaemonHarness.requireJournald()
        let h = try DaemonHarness()
        let ref = "D2-\(UUID().uuidString.prefix(8))"
        try seed(h, ["\(ref)-0"], dueIn: DaemonHarness.farOff)
        try #require(try h.start() != nil, "no READY=1; log:\n\(h.log)")
        let socket = try #require(h.notify)
        let pid = h.process!.processIdentifier
        // Recorded before the reload (the CLI reads the same configuration), due once it has been refused.
        try seed(h, ["\(ref)-1"], dueIn: 10)
        let broken = h.dir.appendingPathComponent("config/rules.d/zz-broken.toml")
        try "[[rule]]\nid = \"broken\"\ntitel = \"typo\"\n".write(to: broken, atomically: true, encoding: .utf8)
        let before = socket.messages.count
        h.signal(SIGHUP)
        #expect(socket.wait(for: 10) { $0.contains("RELOADING=1") && $0.contains("MONOTONIC_USEC=") } != nil)
        #expect(socket.wait(for: 10) { $0.contains("READY=1") && $0.contains("reload refused") } != nil)
        #expect(socket.messages.count > before)
        let refused = try DaemonHarness.waitForJournal(["_PID=\(pid)", "MESSAGE_ID=6b988516976647de816773b4ab7cd00e"], timeout: 10) { !$0.isEmpty }
        #expect((refused.first?["MESSAGE"] as? String)?.contains("zz-broken.toml:1: pack: missing") == true, "\(refused)")
        #expect(refused.first?["PRIORITY"] as? String == "3")

        // The old configuration still works: the case is still notified, at its moment.
        let entries = try DaemonHarness.waitForJournal(["CASE_REF=\(ref)-1", "STAGE=overdue"], timeout: 20) { !$0.isEmpty }
        #expect(entries.count == 1, "log:\n\(h.log)")

        // Fixed: the reload goes through.
        try FileManager.default.removeItem(at: broken)
        h.signal(SIGHUP)
        let reloaded = try DaemonHarness.waitForJournal(["_PID=\(pid)", "MESSAGE_ID=2c0a2022ff744fb1958aca18e40eaa78"], timeout: 10) { !$0.isEmpty }
        #expect(reloaded.count == 1, "running: \(h.process!.isRunning); log:\n\(h.log)")
        h.stop()
    }

    /// A rule pack nested 50,000 deep (as mutation fuzzing made one): the running daemon refuses the reload
    /// with the file and line, and keeps running on its old rules, instead of overflowing its stack.
    @Test func aReloadWithADeeplyNestedFileIsRefusedAndTheDaemonRunsOn() throws {
        try DaemonHarness.requireJournald()
        let (h, _) = try DaemonHarness.running("D7")
        let socket = try #require(h.notify)
        let pid = h.process!.processIdentifier
        let deep = h.dir.appendingPathComponent("config/rules.d/zz-deep.toml")
        try ("[pack]\nid = \"deep\"\nx = " + String(repeating: "[", count: 50_000)).write(to: deep, atomically: true, encoding: .utf8)
        h.signal(SIGHUP)
        #expect(socket.wait(for: 15) { $0.contains("READY=1") && $0.contains("reload refused") } != nil, "log:\n\(h.log)")
        let refused = try DaemonHarness.waitForJournal(["_PID=\(pid)", "MESSAGE_ID=6b988516976647de816773b4ab7cd00e"], timeout: 10) { !$0.isEmpty }
        #expect((refused.first?["MESSAGE"] as? String)?.contains("zz-deep.toml:3") == true, "\(refused.first?["MESSAGE"] ?? "")")
        #expect(h.process!.isRunning)
        let check = try CLITests.run(["check-config", "--config", h.config])
        #expect(check.status == 1)
        #expect(check.stderr.contains("zz-deep.toml:3") && check.stderr.contains("nested more than"), "\(check.stderr)")
        h.stop()
    }

    @Test func sigkillInTheMiddleOfABurstThenRestartDeliversEachExactlyOnce() throws {
        try DaemonHarness.requireJournald()
        let h = try DaemonHarness()
        let ref = "D3-\(UUID().uuidString.prefix(8))"
        let refs = (0..<6000).map { "\(ref)-\($0)" }
        // Recorded before the start, so the daemon sees each case whole. Due 40 seconds after the seeding
        // began: on a quiet machine the start comes first and the burst is of overdue notices; on a loaded
        // one the import may take longer and the start finds them all overdue, announcing each once at
        // the rung it has reached. Either way there is a burst of at least 6,000 entries to kill.
        let deadline = Date().addingTimeInterval(40)
        try h.seed(refs, dueIn: 40)
        try #require(try h.start() != nil, "no READY=1; log:\n\(h.log)")
        let startedInTime = Date() < deadline.addingTimeInterval(-2)
        let pid = h.process!.processIdentifier
        // Kill as soon as the burst at the deadline (6,000 overdue notices and 6,000 escalations) reaches the
        // journal; on a loaded machine that started late, at the first of the escalations caught up.
        let first = try DaemonHarness.waitForJournal(["_PID=\(pid)", "STAGE=overdue", "STAGE=escalation"], timeout: 120) { !$0.isEmpty }
        try #require(!first.isEmpty, "log:\n\(h.log)")
        h.signal(SIGKILL)
        _ = h.waitForExit(timeout: 10)
        let atKill = try DaemonHarness.journal(["_PID=\(pid)", "STAGE=overdue", "STAGE=escalation"]).count
        if startedInTime {
            #expect(atKill < 2 * refs.count, "the burst had already finished: the kill did not land in the middle")
        }

        try #require(try h.start() != nil, "no READY=1 after restart; log:\n\(h.log)")
        // Everything the store queued is sent, each exactly once, and every case was told something.
        func queued() throws -> [String] { try h.sqlite("SELECT key FROM notification WHERE case_ref LIKE '\(ref)-%'") }
        func unsent() throws -> Int { Int(try h.sqlite("SELECT COUNT(*) FROM notification WHERE case_ref LIKE '\(ref)-%' AND state != 'sent'").first ?? "") ?? -1 }
        func casesQueued() throws -> Int {
            Int(try h.sqlite("SELECT COUNT(DISTINCT case_ref) FROM notification WHERE case_ref LIKE '\(ref)-%'").first ?? "") ?? -1
        }
        // Until every case has something queued and nothing is left unsent, twice in a row (the restarted
        // daemon catches up in chunks: a moment with nothing unsent is not the end).
        let end = Date().addingTimeInterval(180)
        var settled = 0
        while settled < 2, Date() < end {
            settled = try unsent() == 0 && casesQueued() == refs.count ? settled + 1 : 0
            usleep(500_000)
        }
        let expected = Set(try queued())
        #expect(try unsent() == 0)
        // This test's entries only (the journal of a long-used machine holds many runs'): both daemons' PIDs.
        let pids = ["_PID=\(pid)", "_PID=\(h.process!.processIdentifier)"]
        let entries = try DaemonHarness.waitForJournal(pids + ["RULE_ID=\(DaemonHarness.testRule)"], timeout: 60) { $0.count >= expected.count }
        var seen: [String: Int] = [:]
        var cases = Set<String>()
        for e in entries {
            guard let c = e["CASE_REF"] as? String, c.hasPrefix(ref + "-"), let k = e["NOTIFICATION_KEY"] as? String else { continue }
            seen[k, default: 0] += 1
            cases.insert(c)
        }
        #expect(Set(seen.keys) == expected, "delivered \(seen.count) distinct of \(expected.count) queued")
        #expect(seen.values.allSatisfy { $0 == 1 }, "\(seen.filter { $0.value > 1 }.count) delivered twice")
        #expect(cases.count == refs.count, "\(refs.count - cases.count) cases were told nothing")
        // A case is told each rung (due, overdue, escalation) if the first daemon queued them before the kill,
        // or, if it had not, once, at the rung reached, by the second daemon's catch-up: never two of three.
        var perCase: [String: Int] = [:]
        for k in expected { perCase[String(k.prefix { $0 != "/" }), default: 0] += 1 }
        #expect(perCase.values.allSatisfy { $0 == 1 || $0 == 3 }, "\(perCase.filter { $0.value != 1 && $0.value != 3 }.prefix(5))")
        h.stop()
    }

    @Test func missedWhileStoppedAreDeliveredOnceMarkedLate() throws {
        try DaemonHarness.requireJournald()
        let h = try DaemonHarness()
        let ref = "D4-\(UUID().uuidString.prefix(8))"
        try seed(h, ["\(ref)-seed"], dueIn: DaemonHarness.farOff)
        try #require(try h.start() != nil, "no READY=1; log:\n\(h.log)")
        h.stop()
        // While stopped: one case falls due, another falls due but its visit is recorded in time.
        try seed(h, ["\(ref)-missed", "\(ref)-met"], dueIn: 2)
        let visit = try h.cli(["record", "\(ref)-met", "visit", "--at", DaemonHarness.localTime(secondsFromNow: 1)])
        #expect(visit.status == 0, "\(visit.stderr)")
        sleep(4)
        try #require(try h.start() != nil, "no READY=1 after restart; log:\n\(h.log)")
        let entries = try DaemonHarness.waitForJournal(["CASE_REF=\(ref)-missed"], timeout: 15) { $0.count >= 3 }
        #expect(entries.compactMap { $0["STAGE"] as? String }.sorted() == ["due", "escalation", "overdue"])
        #expect(entries.allSatisfy { $0["LATE"] as? String == "1" && ($0["MESSAGE"] as? String)?.contains("Late:") == true })
        #expect(try DaemonHarness.journal(["CASE_REF=\(ref)-met", "STAGE=overdue"]).isEmpty)
        // Started again: nothing is sent twice.
        h.stop()
        try #require(try h.start() != nil)
        sleep(2)
        #expect(try DaemonHarness.journal(["CASE_REF=\(ref)-missed"]).count == entries.count)
        h.stop()
    }

    /// More than `Backlog.summaryAbove` late notices at a start: one summary for their owner at the loudest of
    /// their priorities, and every notice still delivered, once, at info.
    @Test func aLargeBacklogIsSummarisedForItsOwnerAndEveryNoticeStillDelivered() throws {
        try DaemonHarness.requireJournald()
        let h = try DaemonHarness()
        let ref = "D5-\(UUID().uuidString.prefix(8))"
        try seed(h, ["\(ref)-seed"], dueIn: DaemonHarness.farOff)
        try #require(try h.start() != nil, "no READY=1; log:\n\(h.log)")
        h.stop()
        // While stopped: 40 cases fall due, each passing its due, overdue and escalation rungs (120 notices).
        let refs = (0..<40).map { "\(ref)-\($0)" }
        try seed(h, refs, dueIn: 2)
        sleep(4)
        try #require(try h.start() != nil, "no READY=1 after restart; log:\n\(h.log)")
        let pid = h.process!.processIdentifier
        // This test's cases only (several matches of one field are alternatives for journalctl).
        let theirs = ["BACKLOG=1"] + refs.map { "CASE_REF=\($0)" }
        let notices = try DaemonHarness.waitForJournal(theirs, timeout: 30) { $0.count >= 120 }
        #expect(notices.count == 120, "log:\n\(h.log)")
        #expect(Set(notices.compactMap { $0["NOTIFICATION_KEY"] as? String }).count == 120)
        #expect(notices.allSatisfy { $0["PRIORITY"] as? String == "6" && $0["LATE"] as? String == "1" })
        let summaries = try DaemonHarness.waitForJournal(["MESSAGE_ID=5a0d7e3c9b2f4e86a1c4d8f02b6e7193", "_PID=\(pid)"], timeout: 10) { $0.count >= 2 }
        let sw = try #require(summaries.first { $0["OWNER"] as? String == "sw" }, "log:\n\(h.log)")
        #expect(sw["COUNT"] as? String == "120" && sw["ESCALATIONS"] as? String == "40" && sw["OVERDUE"] as? String == "40")
        #expect(sw["PRIORITY"] as? String == "3")  // the escalations' priority: the loudest among them
        #expect((sw["MESSAGE"] as? String)?.contains("permanenced agenda --overdue --worker sw") == true)
        #expect(summaries.contains { $0["OWNERS"] as? String == "1" && $0["COUNT"] as? String == "120" })
        // Nothing is lost: each case is still overdue on the agenda, and a restart announces nothing again.
        let agenda = try h.cli(["agenda", "--overdue", "--worker", "sw", "--format", "csv"])
        #expect(refs.allSatisfy { agenda.stdout.contains("\($0),") }, "\(agenda.stdout)")
        h.stop()
        try #require(try h.start() != nil)
        sleep(2)
        #expect(try DaemonHarness.journal(theirs).count == 120)
        h.stop()
    }
}
