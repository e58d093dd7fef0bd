import Foundation
import PermanenceConfig
import PermanenceCore
import PermanenceStore
import TestSupport
import Testing

@testable import PermanenceDaemon

/// The weekly team report from the real daemon (run in this process, with its clock passed in) to a real
/// SMTP server, at fixed instants in Europe/London: an ordinary Monday, a bank holiday Monday and the
/// Tuesday after it, the Monday after the clocks go forward.
@Suite(.serialized) struct TeamReportDaemonTests {
    static let pack = """
        [pack]
        id = "report-test"
        title = "Team report test: one exact 72-hour visit"
        source = "permanenced test suite"
        plans = ["adoption"]

        [[rule]]
        id = "report-test-visit"
        title = "Visit within 72 hours of placement (test rule)"
        anchor = "placed-for-adoption"
        due = "72h"
        met-by = "visit"
        owner = "permanence-sw"
        """

    /// Runs the daemon from `start` (its clock then moves with the real one) for up to `seconds`, with a
    /// placement made four days before `start` (its visit a day overdue); the team reports the SMTP server
    /// received: to whom, the message (headers unfolded, soft line breaks joined), and the message as received.
    func reports(from start: Instant, seconds: Double) async throws -> [(to: String, raw: String, eml: String)] {
        let server = try TestSMTPServer()
        defer { server.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("team-report-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("state"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("config"), to: dir.appendingPathComponent("config"))
        try Self.pack.write(to: dir.appendingPathComponent("config/rules.d/report-test.toml"), atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("config/permanenced.toml").path
        var text = try String(contentsOfFile: config, encoding: .utf8)
        let start0 = try #require(text.range(of: "\n[email]\n"))
        let end0 = text[start0.upperBound...].range(of: "\n[")?.lowerBound ?? text.endIndex
        text.replaceSubrange(start0.lowerBound..<end0, with: """

            [email]
            enabled = true
            host = "127.0.0.1"
            port = \(server.port)
            tls = "none"
            from = "permanenced@council.example"
            admin = "admin@council.example"
            team-report = "monday 08:00"

            """)
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let storePath = dir.appendingPathComponent("state/p.sqlite").path
        do {
            let set = try ConfigLoader.load(config).0
            let store = try Store(path: storePath, ruleSet: set)
            let before = start.adding(seconds: -30 * 86_400)
            try store.addWorker(Worker(id: "tm", name: "Hughes, Rhian", email: "tm@example.org", roles: ["team-manager"]), actor: "t", now: before)
            try store.addWorker(Worker(id: "sw", name: "Sam Worker", email: "sw@example.org", roles: ["permanence-sw"], manager: "tm"), actor: "t", now: before)
            try store.openCase(ChildCase(reference: "TR-1", initials: "Q.R.", plan: "adoption", calendar: "england-and-wales", packs: ["report-test"]),
                               openedAt: before, actor: "t", now: before)
            try store.assign(caseRef: "TR-1", role: "permanence-sw", worker: "sw", from: before, actor: "t", now: before)
            try store.record(CaseEvent(id: "TR-1-placed", caseRef: "TR-1", kind: "placed-for-adoption", at: start.adding(seconds: -4 * 86_400)),
                             source: "t", actor: "t", now: start)
        }
        let began = Date()
        let clock: @Sendable () -> Instant = { start.adding(seconds: Int(Date().timeIntervalSince(began))) }
        let settings = Daemon.Settings(configPath: config, storePath: storePath, inboxPath: dir.appendingPathComponent("state/inbox").path)
        // On the daemon's own executor, as `permanenced run` does: its parts are touched only on that queue.
        let daemon = Task(executorPreference: DaemonExecutor.shared) { try await Daemon.run(settings: settings, now: clock) }
        func found() throws -> [(to: String, raw: String, eml: String)] {
            guard server.receivedCount > 0 else { return [] }
            return try (1...server.receivedCount).compactMap { n in
                // Headers unfolded, quoted-printable soft line breaks joined.
                let eml = try server.message(n)
                let split = eml.range(of: "\r\n\r\n")?.lowerBound ?? eml.endIndex
                let raw = eml[..<split].replacingOccurrences(of: "\r\n ", with: " ") + eml[split...].replacingOccurrences(of: "=\r\n", with: "")
                guard raw.contains("Subject: Your team this week") else { return nil }
                return ((try server.envelope(n)["to"] as? [String] ?? []).joined(separator: ","), raw, eml)
            }
        }
        let end = Date().addingTimeInterval(seconds)
        while try found().isEmpty && Date() < end { try await Task.sleep(for: .milliseconds(200)) }
        let out = try found()
        daemon.cancel()
        _ = try? await daemon.value
        return out
    }

    /// The report's HTML part as received, in headless Chromium at 900 and 400 pixels: the page shows `shown`,
    /// nothing is wider than the window; screenshots kept under `.build/mail-screenshots/`.
    func rendered(_ eml: String, name: String, shown: [String]) throws {
        try #require(Chromium.path != nil, "chromium is not installed; scripts/setup --tests installs it")
        let html = try #require(try mimePart(eml, type: "text/html"), "the report has no HTML part")
        for width in [900, 400] {
            let page = try Chromium.render(html, name: "team-report-daemon-\(name)", width: width,
                                           in: repositoryRoot.appendingPathComponent(".build/mail-screenshots"))
            for s in shown { #expect(page.visible.contains(s), "\(name) at \(width) px: '\(s)' is not on the page") }
            #expect(page.rightEdge > 0 && page.rightEdge <= width, "\(name) at \(width) px: content \(page.rightEdge) px wide")
            #expect(page.screenshotBytes > 1000, "\(name) at \(width) px: no screenshot")
        }
    }

    @Test func anOrdinaryMondayAt0800() async throws {
        let sent = try await reports(from: instant("2026-11-30T08:00:05"), seconds: 20)
        try #require(sent.count == 1, "no team report on Monday 30 November 2026 at 08:00")
        #expect(sent[0].to == "tm@example.org")
        #expect(sent[0].raw.contains("Subject: Your team this week, Mon 30 Nov 2026: 1 overdue, 0 due this week"), "\(sent[0].raw)")
        #expect(sent[0].raw.contains("Hello Rhian Hughes,"))
        #expect(sent[0].raw.contains("Newly overdue: Case TR-1 (Q.R.): Visit within 72 hours of placement (test rule) (was due Sun 29 Nov 2026"))
        try rendered(sent[0].eml, name: "monday", shown: ["Hello Rhian Hughes", "Sam Worker", "Case TR-1 (Q.R.)", "Mon 30 Nov 2026 08:00"])
    }

    @Test func aBankHolidayMondayWaitsForTuesday() async throws {
        // Monday 4 May 2026, the early May bank holiday: no report at 08:00...
        let monday = try await reports(from: instant("2026-05-04T08:00:05"), seconds: 8)
        #expect(monday.isEmpty, "a report on the bank holiday")
        // ...but on Tuesday 5 May at 08:00 (BST).
        let tuesday = try await reports(from: instant("2026-05-05T08:00:05"), seconds: 20)
        try #require(tuesday.count == 1, "no team report on Tuesday 5 May 2026")
        #expect(tuesday[0].raw.contains("Subject: Your team this week, Tue 5 May 2026"), "\(tuesday[0].raw)")
        #expect(tuesday[0].raw.contains("at Tue 5 May 2026 08:00"))
        // The first report looks back to the week before's moment, Monday 27 April.
        #expect(tuesday[0].raw.contains("SINCE THE LAST REPORT (Mon 27 Apr 2026 08:00)"), "\(tuesday[0].raw)")
        try rendered(tuesday[0].eml, name: "bank-holiday", shown: ["Sam Worker", "Case TR-1 (Q.R.)", "Tue 5 May 2026 08:00"])
    }

    @Test func theMondayAfterTheClocksGoForward() async throws {
        // Sunday 29 March 2026 the clocks went forward: Monday 30 March 08:00 is 07:00 UTC.
        let sent = try await reports(from: Instant(seconds: 1_774_854_005), seconds: 20)
        try #require(sent.count == 1, "no team report on Monday 30 March 2026 at 08:00 BST")
        #expect(sent[0].raw.contains("Date: Mon, 30 Mar 2026 08:00:"), "\(sent[0].raw)")
        #expect(sent[0].raw.contains("+0100"))
        try rendered(sent[0].eml, name: "clocks-forward", shown: ["Sam Worker", "Case TR-1 (Q.R.)", "Mon 30 Mar 2026 08:00"])
    }
}
