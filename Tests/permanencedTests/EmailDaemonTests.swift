import Foundation
import PermanenceConfig
import PermanenceCore
import PermanenceMail
import Testing
import TestSupport

/// Email end to end: the real daemon, a real SMTP server on loopback (aiosmtpd), real journald. Urgent
/// notices go at once, digests at the digest time, and a relay outage loses nothing.
@Suite(.serialized) struct EmailDaemonTests {
    func enableEmail(_ h: DaemonHarness, port: Int, _ extra: [String] = []) throws {
        // The shipped [email] table (disabled) is replaced by this test's.
        var text = try String(contentsOfFile: h.config, encoding: .utf8)
        if let start = text.range(of: "\n[email]\n") {
            let end = text[start.upperBound...].range(of: "\n[")?.lowerBound ?? text.endIndex
            text.removeSubrange(start.lowerBound..<end)
        }
        let base = [
            "enabled = true", "host = \"127.0.0.1\"", "port = \(port)", "tls = \"none\"",
            "from = \"permanenced@council.example\"", "admin = \"admin@council.example\"", "quiet-start = \"\"",
            "retry = [\"2s\"]", "case-link = \"https://records.example/cases/{case}\"",
        ]
        // A key in `extra` replaces the same key of the base settings.
        let overridden = Set(extra.map { $0.split(separator: " ")[0] })
        let email = (["[email]"] + base.filter { !overridden.contains($0.split(separator: " ")[0]) } + extra).joined(separator: "\n")
        try (text + "\n" + email + "\n").write(toFile: h.config, atomically: true, encoding: .utf8)
    }

    /// Runs a Python script (Debian's python3, with python3-icalendar) on `input`; its standard output.
    func python(_ script: String, input: String) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", script]
        let stdin = Pipe(), stdout = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        try p.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return data
    }

    /// The message parsed by Python's email package, and its calendar by the icalendar package (Debian's
    /// python3-icalendar): subject, part types, the text and the calendar's events.
    func parsed(_ eml: String) throws -> [String: Any] {
        let data = try python("""
            import email, json, sys
            from email import policy
            m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
            parts = list(m.walk())
            ics = [x.get_content() for x in parts if x.get_content_type() == "text/calendar"]
            text = [x.get_content() for x in parts if x.get_content_type() == "text/plain"]
            import icalendar
            cal = icalendar.Calendar.from_ical(ics[0]) if ics else None
            events = cal.walk("VEVENT") if cal else []
            ok = cal is not None and all(e.get("UID") and e.get("DTSTART") and e.get("SUMMARY") for e in events)
            print(json.dumps({"subject": str(m["subject"]), "to": str(m["to"]), "types": [x.get_content_type() for x in parts],
                              "text": text[0] if text else "", "ics_ok": ok, "events": len(events),
                              "summaries": [str(e.get("SUMMARY")) for e in events],
                              "defects": [str(d) for x in parts for d in x.defects]}))
            """, input: eml)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// A daemon emailing through `port`, with one case whose deadlines are far off already in the store.
    /// `zone`: a test whose `[email]` times come from the wall clock now runs in UTC, where every local time
    /// happens exactly once a day (Europe/London's clock changes are covered by the pure tests at fixed
    /// instants), so it passes at any minute of any day.
    func started(port: Int, _ extra: [String] = [], workerEmail: String = "sw@example.org", zone: String = "Europe/London",
                 prepare: (DaemonHarness) throws -> Void = { _ in }) throws -> DaemonHarness {
        let h = try DaemonHarness()
        try enableEmail(h, port: port, extra)
        try prepare(h)
        if zone != "Europe/London" {
            let text = try String(contentsOfFile: h.config, encoding: .utf8)
            try text.replacingOccurrences(of: "time-zone = \"Europe/London\"", with: "time-zone = \"\(zone)\"")
                .write(toFile: h.config, atomically: true, encoding: .utf8)
        }
        try h.seed(["E0-\(UUID().uuidString.prefix(6))"], dueIn: DaemonHarness.farOff, workerEmail: workerEmail)
        try #require(try h.start() != nil, "no READY=1; log:\n\(h.log)")
        return h
    }

    /// `HH:mm` in UTC, as `[email]` times are written for the tests that run in UTC.
    func clock(_ date: Date) -> String { DaemonHarness.local(date, "HH:mm", zone: "UTC") }

    func waitFor(_ server: TestSMTPServer, count: Int, timeout: Double) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while server.receivedCount < count && Date() < end { usleep(100_000) }
        return server.receivedCount >= count
    }

    /// The weekly team report with the real daemon, at a moment set a minute before the test starts (UTC, no
    /// quiet hours). Whether that moment is this week's report is worked out from the same configuration by
    /// the pure timing (on a weekend or a bank holiday it is the next working day's, not now): the report goes
    /// to the manager alone, once, then not again after a restart; or nothing goes.
    @Test func theWeeklyTeamReportGoesToTheManagerAloneOnce() throws {
        let server = try TestSMTPServer()
        defer { server.stop() }
        let t = Instant(seconds: Int(Date().timeIntervalSince1970))
        let local = ZoneRules.utc.localDateTime(at: t)
        let minute = max(0, local.secondOfDay - 60)
        let weekday = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][local.date.weekday - 1]
        let setting = "team-report = \"\(weekday) \(String(format: "%02d:%02d", minute / 3600, minute % 3600 / 60))\""
        let ref = "TR-\(UUID().uuidString.prefix(6))"
        let h = try started(port: server.port, [setting], zone: "UTC") { h in
            // One deadline an hour overdue (fallen due since the last report), one due in two days.
            try h.seed([("\(ref)-late", -3600), ("\(ref)-soon", 2 * 86_400)])
        }
        defer { h.stop() }
        let set = try ConfigLoader.load(h.config).0
        let calendar = try #require(set.calendars[set.configuration.defaultCalendar])
        let timing = MailTiming(config: set.configuration.email, zone: set.zone, calendar: calendar)
        let slot = timing.teamReport(atOrBefore: t)
        let due = slot.map { t.seconds - $0.seconds <= 86_400 } ?? false
        func reports() throws -> [(to: [String], parsed: [String: Any])] {
            guard server.receivedCount > 0 else { return [] }
            return try (1...server.receivedCount).compactMap { n in
                let p = try parsed(try server.message(n))
                guard (p["subject"] as? String)?.hasPrefix("Your team this week") == true else { return nil }
                return (try server.envelope(n)["to"] as? [String] ?? [], p)
            }
        }
        let end = Date().addingTimeInterval(due ? 30 : 8)
        while try reports().isEmpty && Date() < end { usleep(200_000) }
        let sent = try reports()
        guard due else {
            #expect(sent.isEmpty, "a team report although this week's moment (\(slot.map { set.zone.iso8601($0) } ?? "none")) is not now")
            return
        }
        try #require(sent.count == 1, "no team report (or more than one) at \(set.zone.iso8601(slot!)); log:\n\(h.log)")
        #expect(sent[0].to == ["tm@example.org"], "the report goes to the manager alone")
        let text = sent[0].parsed["text"] as? String ?? ""
        #expect(text.contains("Social Worker: 1 overdue, 2 due this week"), "\(text)")
        #expect(text.contains("Newly overdue: Case \(ref)-late (X.Y.)"), "\(text)")
        #expect(!text.contains("sw@example.org"))
        #expect((sent[0].parsed["types"] as? [String])?.contains("text/html") == true)
        // A restart does not send the week's report again.
        h.stop()
        try #require(try h.start() != nil, "no READY=1 after the restart; log:\n\(h.log)")
        sleep(4)
        #expect(try reports().count == 1, "the week's report was sent again after a restart")
    }

    @Test func urgentNoticesAreEmailedAtOnceEachOnce() throws {
        try #require(DaemonHarness.journaldListening, "systemd-journald is not running; scripts/test starts it (as root)")
        let server = try TestSMTPServer()
        defer { server.stop() }
        let h = try started(port: server.port)
        let ref = "E1-\(UUID().uuidString.prefix(6))"
        try h.seed(["\(ref)-1"], dueIn: 3)
        // The visit is urgent. Its overdue notice and first escalation fall due together: one email to the
        // worker (saying to whom it was escalated) and one to the manager (the escalation, naming the owner).
        // Its due notice had passed when it was recorded: late, so in a digest.
        #expect(waitFor(server, count: 3, timeout: 25), "log:\n\(h.log)")
        usleep(3_000_000)
        try #require(server.receivedCount == 3)
        var byRecipient: [String: [[String: Any]]] = [:]
        for n in 1...server.receivedCount {
            let env = try server.envelope(n)
            let message = try parsed(try server.message(n))
            byRecipient[(env["to"] as? [String])?.first ?? "", default: []].append(message)
            // Bounces go to a person: the admin, not the unread From address.
            #expect(env["from"] as? String == "admin@council.example")
            if (message["types"] as? [String])?.contains("text/calendar") == true { #expect(message["ics_ok"] as? Bool == true) }
            #expect((message["defects"] as? [Any])?.isEmpty == true)
            let text = message["text"] as? String ?? ""
            #expect(text.contains("Case \(ref)-1 (X.Y.)"))
            #expect(text.contains("https://records.example/cases/\(ref)-1"))
        }
        let worker = byRecipient["sw@example.org"] ?? []
        let manager = byRecipient["tm@example.org"] ?? []
        #expect(worker.count == 2 && manager.count == 1, "\(byRecipient.mapValues { $0.map { $0["subject"] ?? "" } })")
        let urgent = worker.first { ($0["subject"] as? String)?.hasPrefix("URGENT \(ref)-1 (X.Y.): ") == true }
        #expect((urgent?["subject"] as? String)?.contains("overdue by") == true, "\(worker.map { $0["subject"] ?? "" })")
        #expect((urgent?["text"] as? String)?.contains("escalated to Team Manager") == true, "\(urgent?["text"] ?? "")")
        #expect(worker.contains { ($0["subject"] as? String)?.hasPrefix("Permanence deadlines ") == true })
        let escalation = manager.first
        #expect((escalation?["subject"] as? String)?.hasPrefix("ESCALATED: \(ref)-1 (X.Y.) ") == true, "\(escalation?["subject"] ?? "")")
        #expect((escalation?["subject"] as? String)?.hasSuffix("— owner Social Worker") == true)
        #expect((escalation?["text"] as? String)?.contains("has been escalated to you (level 1)") == true)
        #expect(urgent?["types"] as? [String] == ["multipart/alternative", "text/plain", "text/html"], "an overdue deadline is no calendar event")
        #expect(try h.cli(["status"]).stdout.contains("0 to send (0 retrying), 3 sent, 0 given up"))
        h.stop()
    }

    @Test func digestsCollectEachWorkersItemsAtTheDigestTime() throws {
        try #require(DaemonHarness.journaldListening)
        let server = try TestSMTPServer()
        defer { server.stop() }
        // The next whole minute at least 15 seconds away, local time.
        var at = Date().addingTimeInterval(60 - Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60))
        if at.timeIntervalSinceNow < 15 { at.addTimeInterval(60) }
        // And a second digest time a minute later.
        let second = at.addingTimeInterval(60)
        let h = try started(port: server.port, ["immediate = []", "digest-days = \"all\"", "digest-times = [\"\(clock(at))\", \"\(clock(second))\"]"],
                            zone: "UTC")
        let ref = "E2-\(UUID().uuidString.prefix(6))"
        try h.seed(["\(ref)-1", "\(ref)-2"], dueIn: 3)
        usleep(6_000_000)
        // Before the digest time, only what cannot wait: the two due notices (late: they had passed when the
        // cases were recorded, and waiting for the digest would take them past their deadlines, due seconds
        // later), together; and each escalation to the manager, at once, though no severity is immediate.
        #expect(server.receivedCount == 3, "before the digest time, only what cannot wait; log:\n\(h.log)")
        let before = try (1...max(1, server.receivedCount)).map { try server.envelope($0)["to"] as? [String] ?? [] }
        #expect(before.filter { $0 == ["sw@example.org"] }.count == 1 && before.filter { $0 == ["tm@example.org"] }.count == 2)
        let early = try parsed(try server.message(before.firstIndex(of: ["sw@example.org"]).map { $0 + 1 } ?? 1))
        #expect((early["events"] as? Int ?? 0) >= 2, "\(early)")
        #expect(waitFor(server, count: 4, timeout: at.timeIntervalSinceNow + 15), "log:\n\(h.log)")
        usleep(2_000_000)
        #expect(server.receivedCount == 4)
        let sw = try parsed(try server.message(4))
        #expect((try server.envelope(4)["to"] as? [String]) == ["sw@example.org"])
        let text = sw["text"] as? String ?? ""
        // Both cases, each deadline once (its overdue notice and the owner's copy of the escalation are one
        // line), at the digest time.
        #expect(text.contains("NEW SINCE YOUR LAST EMAIL (2)"), "\(text)")
        #expect(text.contains("Case \(ref)-1 (X.Y.)") && text.contains("Case \(ref)-2 (X.Y.)"))
        #expect(text.contains("escalated (level 1)") && text.contains("Escalated to Team Manager."))
        #expect((sw["subject"] as? String)?.hasPrefix("Permanence deadlines ") == true)

        // A third case falls overdue before the second digest time. That digest is the whole picture: the
        // new case, and the first two, still overdue, under "still outstanding", marked as already emailed;
        // its subject counts what its body lists.
        try h.seed(["\(ref)-3"], dueIn: 3)
        #expect(waitFor(server, count: 7, timeout: second.timeIntervalSinceNow + 15), "log:\n\(h.log)")
        usleep(2_000_000)
        let last = try (1...server.receivedCount).last { (try server.envelope($0)["to"] as? [String]) == ["sw@example.org"] }
        let digest = try parsed(try server.message(try #require(last)))
        let body = digest["text"] as? String ?? ""
        #expect(body.contains("NEW SINCE YOUR LAST EMAIL (1)") && body.contains("Case \(ref)-3 (X.Y.)"), "\(body)")
        let outstanding = body.components(separatedBy: "STILL OUTSTANDING")
        #expect(outstanding.count == 2, "\(body)")
        #expect(outstanding.last?.contains("Case \(ref)-1 (X.Y.)") == true && outstanding.last?.contains("Case \(ref)-2 (X.Y.)") == true)
        #expect(outstanding.last?.contains("overdue by") == true && outstanding.last?.contains("(already emailed)") == true)
        let subject = digest["subject"] as? String ?? ""
        let counted = subject.split(separator: ":").last.map { $0.split(separator: ",").compactMap { Int($0.split(separator: " ").first ?? "") }.reduce(0, +) } ?? -1
        let listed = body.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("    - ") }.count
        #expect(counted == listed && listed >= 3, "counted \(counted), listed \(listed): \(subject)")
        h.stop()
    }

    /// Every calendar file of a message, parsed by python3-icalendar: method, and each event's UID, SEQUENCE
    /// and SUMMARY.
    func calendars(_ eml: String) throws -> [[String: Any]] {
        let data = try python("""
            import email, json, sys, icalendar
            from email import policy
            m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.strict)
            out = []
            for part in m.walk():
                if part.get_content_type() != "text/calendar": continue
                cal = icalendar.Calendar.from_ical(part.get_content())
                for e in cal.walk("VEVENT"):
                    out.append({"method": str(cal["METHOD"]), "uid": str(e["UID"]), "seq": int(e["SEQUENCE"]), "summary": str(e["SUMMARY"]),
                                "file": part.get_filename()})
            print(json.dumps(out))
            """, input: eml)
        return try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
    }

    @Test func aDeadlineMetAfterItWasEmailedIsCancelledInTheWorkersCalendar() throws {
        try #require(DaemonHarness.journaldListening)
        let server = try TestSMTPServer()
        defer { server.stop() }
        let h = try started(port: server.port)
        let a = "E7-\(UUID().uuidString.prefix(6))"
        // Due in ten minutes: its due notice has passed (late), so it goes at once in a digest, with the
        // deadline in the calendar file.
        try h.seed(["\(a)-1"], dueIn: 600)
        #expect(waitFor(server, count: 1, timeout: 20), "log:\n\(h.log)")
        usleep(2_000_000)
        let first = try calendars(try server.message(1))
        let event = try #require(first.first { ($0["summary"] as? String)?.contains("(case \(a)-1)") == true }, "\(first)")
        #expect(event["method"] as? String == "PUBLISH")
        // The visit is made: the next email to the worker cancels the event, same UID, higher SEQUENCE.
        let visit = try h.cli(["record", "\(a)-1", "visit"])
        #expect(visit.status == 0, "\(visit.stderr)")
        usleep(2_000_000)
        try h.seed(["\(a)-2"], dueIn: 600)
        #expect(waitFor(server, count: 2, timeout: 20), "log:\n\(h.log)")
        usleep(2_000_000)
        let second = try calendars(try server.message(server.receivedCount))
        let cancel = second.filter { $0["method"] as? String == "CANCEL" }
        #expect(cancel.count == 1, "\(second)")
        #expect(cancel.first?["uid"] as? String == event["uid"] as? String)
        #expect((cancel.first?["seq"] as? Int ?? 0) > (event["seq"] as? Int ?? 0))
        #expect(cancel.first?["file"] as? String == "cancelled.ics")
        h.stop()
    }

    @Test func aRelayOutageLosesNothing() throws {
        try #require(DaemonHarness.journaldListening)
        let port = TestSMTPServer.freePort()
        let h = try started(port: port)
        let ref = "E3-\(UUID().uuidString.prefix(6))"
        try h.seed(["\(ref)-1"], dueIn: 2)
        // Nobody listens: the journal says the mail waits for a retry.
        let pid = try #require(h.process?.processIdentifier)
        let retries = try DaemonHarness.waitForJournal(["MESSAGE_ID=bf87c37296e14e32bb61dfb885ad3729", "_PID=\(pid)"], timeout: 20) { !$0.isEmpty }
        #expect(!retries.isEmpty, "log:\n\(h.log)")
        let waiting = try h.cli(["status"]).stdout
        #expect(waiting.contains("to send") && !waiting.contains(": 0 to send") && waiting.contains("0 sent"), "\(waiting)")
        // The relay comes back: every message arrives, once.
        let server = try TestSMTPServer(port: port)
        defer { server.stop() }
        #expect(waitFor(server, count: 3, timeout: 20), "log:\n\(h.log)")
        usleep(4_000_000)
        #expect(server.receivedCount == 3)
        #expect(try h.cli(["status"]).stdout.contains("3 sent, 0 given up"))
        h.stop()
    }

    @Test func quietHoursHoldUrgentMailUntilTheMorning() throws {
        try #require(DaemonHarness.journaldListening)
        let server = try TestSMTPServer()
        defer { server.stop() }
        // Quiet from an hour ago to an hour from now (local), every day of the week.
        let start = clock(Date().addingTimeInterval(-3600)), end = clock(Date().addingTimeInterval(3600))
        let h = try started(port: server.port, ["quiet-start = \"\(start)\"", "quiet-end = \"\(end)\""], zone: "UTC")
        // Already overdue when it is announced: waiting for the morning cannot make it later than it is.
        try h.seed(["E4-\(UUID().uuidString.prefix(6))"], dueIn: 2)
        let pid = try #require(h.process?.processIdentifier)
        _ = try DaemonHarness.waitForJournal(["STAGE=escalation", "_PID=\(pid)"], timeout: 15) { !$0.isEmpty }
        usleep(3_000_000)
        // Only the due notice went, at once: holding it for the morning would take it past its deadline.
        #expect(server.receivedCount == 1, "in quiet hours, only what cannot wait")
        #expect((try parsed(try server.message(1))["subject"] as? String)?.hasPrefix("Permanence deadlines ") == true)
        #expect((try server.envelope(1)["to"] as? [String]) == ["sw@example.org"])
        let status = try h.cli(["status"]).stdout
        #expect(status.contains("3 item(s) waiting for a digest or the end of quiet hours; the next at "), "\(status)")
        #expect(status.contains(" \(end) "), "held until the end of quiet hours: \(status)")
        h.stop()
    }

    @Test func anUndeliverableEmailIsEscalatedToTheAdmin() throws {
        try #require(DaemonHarness.journaldListening)
        let server = try TestSMTPServer()
        defer { server.stop() }
        // The relay refuses the worker's address for good (550).
        // The admin's notice comes from their own template, like every other email.
        let h = try started(port: server.port, workerEmail: "unknown-sw@example.org") { h in
            let template = h.dir.appendingPathComponent("config/templates/undeliverable-text.mustache").path
            let text = try String(contentsOfFile: template, encoding: .utf8)
            try (text + "Council helpdesk: call 0100 000 0000 about {{{address}}}.\n").write(toFile: template, atomically: true, encoding: .utf8)
        }
        try h.seed(["E5-\(UUID().uuidString.prefix(6))"], dueIn: 2, workerEmail: "unknown-sw@example.org")
        let pid = try #require(h.process?.processIdentifier)
        // The worker's two emails (the late due notice's digest; the overdue notice with the escalation).
        let given = try DaemonHarness.waitForJournal(["MESSAGE_ID=735227e437ef40e581de99456801abb8", "_PID=\(pid)"], timeout: 20) { $0.count >= 2 }
        #expect(given.count == 2, "log:\n\(h.log)")
        #expect(given.allSatisfy { $0["PRIORITY"] as? String == "2" })
        // The manager's email arrives; the admin hears about the address once for each batch given up (the
        // digest and the urgent email are sent moments apart, so one or two notices), never once a message twice.
        #expect(waitFor(server, count: 2, timeout: 15), "log:\n\(h.log)")
        usleep(3_000_000)
        let to = try (1...server.receivedCount).compactMap { (try server.envelope($0)["to"] as? [String])?.first }
        #expect((1...2).contains(to.filter { $0 == "admin@council.example" }.count), "\(to)")
        #expect(to.filter { $0 == "tm@example.org" }.count == 1)
        let admin = try parsed(try server.message(to.firstIndex(of: "admin@council.example")! + 1))
        #expect((admin["text"] as? String)?.contains("unknown-sw@example.org") == true)
        #expect((admin["text"] as? String)?.contains("Council helpdesk: call 0100 000 0000 about unknown-sw@example.org.") == true, "\(admin)")
        #expect((admin["subject"] as? String)?.contains("email to unknown-sw@example.org could not be delivered") == true, "\(admin)")
        #expect(try h.cli(["status"]).stdout.contains("2 given up"))
        h.stop()
    }

    @Test func sendTestPrintsTheConversationWithTheSecretMasked() throws {
        let cert = try TestCertificate.make()
        let server = try TestSMTPServer(tls: "starttls", certificate: cert, auth: "pd:s3cret-pw")
        defer { server.stop() }
        let h = try DaemonHarness()
        // The secret comes from the systemd credentials directory.
        let credentials = h.dir.appendingPathComponent("credentials")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        try writeSecret("s3cret-pw\n", to: credentials.appendingPathComponent("permanenced_smtp-password").path)
        try enableEmail(h, port: server.port, [
            "host = \"localhost\"", "tls = \"starttls\"", "ca-file = \"\(cert.cert)\"", "username = \"pd\"",
            "password-file = \"permanenced_smtp-password\"",
        ])
        let ok = try CLITests.run(["send-test", "--config", h.config, "--to", "admin@council.example"],
                                  env: ["CREDENTIALS_DIRECTORY": credentials.path])
        #expect(ok.status == 0, "\(ok.stdout)\n\(ok.stderr)")
        #expect(ok.stdout.contains("C: STARTTLS") && ok.stdout.contains("TLS established"))
        #expect(ok.stdout.contains("C: AUTH PLAIN ********"))
        #expect(!ok.stdout.contains("s3cret-pw") && !ok.stdout.contains("czNjcmV0LXB3"))
        #expect(ok.stdout.contains("accepted by localhost: 250"))
        #expect(server.receivedCount == 1)
        // Without the credential: refused before connecting, naming the setting.
        let missing = try CLITests.run(["send-test", "--config", h.config, "--to", "admin@council.example"],
                                       env: ["CREDENTIALS_DIRECTORY": h.dir.path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("[email] password-file: cannot read"), "\(missing.stderr)")
        // A wrong password: the relay's refusal, exit 1.
        try writeSecret("wrong\n", to: credentials.appendingPathComponent("permanenced_smtp-password").path)
        let refused = try CLITests.run(["send-test", "--config", h.config, "--to", "admin@council.example"],
                                       env: ["CREDENTIALS_DIRECTORY": credentials.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("535") && refused.stderr.contains("permanent"), "\(refused.stderr)")
    }

    @Test func anAbsentWorkersMailGoesToTheirDeputy() throws {
        try #require(DaemonHarness.journaldListening)
        let server = try TestSMTPServer()
        defer { server.stop() }
        let h = try started(port: server.port)
        let away = try h.cli(["worker", "absent", "sw", "--from", DaemonHarness.local(Date().addingTimeInterval(-86_400), "yyyy-MM-dd"),
                              "--to", DaemonHarness.local(Date().addingTimeInterval(2 * 86_400), "yyyy-MM-dd"), "--deputy", "tm"])
        #expect(away.status == 0, "\(away.stderr)")
        try h.seed(["E6-\(UUID().uuidString.prefix(6))"], dueIn: 2)
        // The worker's late due notice (a digest), and the overdue notice with the escalation (one email: the
        // deputy is both the cover and the manager) reach the deputy; nothing to the worker.
        #expect(waitFor(server, count: 2, timeout: 20), "log:\n\(h.log)")
        usleep(3_000_000)
        let to = try (1...server.receivedCount).compactMap { (try server.envelope($0)["to"] as? [String])?.first }
        #expect(to == ["tm@example.org", "tm@example.org"])
        h.stop()
    }

    @Test func aReloadWithABrokenEmailSettingKeepsTheOldOneSending() throws {
        try #require(DaemonHarness.journaldListening)
        let server = try TestSMTPServer()
        defer { server.stop() }
        let h = try started(port: server.port)
        let good = try String(contentsOfFile: h.config, encoding: .utf8)
        try good.replacingOccurrences(of: "tls = \"none\"", with: "tls = \"ssl\"").write(toFile: h.config, atomically: true, encoding: .utf8)
        let pid = try #require(h.process?.processIdentifier)
        h.signal(SIGHUP)
        let refused = try DaemonHarness.waitForJournal(["MESSAGE_ID=6b988516976647de816773b4ab7cd00e", "_PID=\(pid)"], timeout: 15) { !$0.isEmpty }
        #expect((refused.first?["MESSAGE"] as? String)?.contains("email.tls") == true, "\(refused)")
        // Through the inbox, which the daemon imports with the configuration it runs (the file is still broken).
        try h.seed(["E7-\(UUID().uuidString.prefix(6))"], dueIn: 3, through: "inbox")
        #expect(waitFor(server, count: 3, timeout: 20), "the old settings keep sending; log:\n\(h.log)")
        h.stop()
    }

    @Test func anExpiredLoginDefersEveryMessageAlertsOnceAndARefreshedTokenIsUsedWithoutAReload() throws {
        try #require(DaemonHarness.journaldListening)
        let server = try TestSMTPServer(auth: "pd:fresh-token")
        defer { server.stop() }
        let h = try DaemonHarness()
        // A token file a refresher job rewrites while the daemon runs (not a LoadCredential= copy).
        let token = h.dir.appendingPathComponent("smtp-token").path
        try writeSecret("expired-token\n", to: token)
        try enableEmail(h, port: server.port, ["username = \"pd\"", "auth = \"plain\"", "password-file = \"\(token)\""])
        try h.seed(["E8-\(UUID().uuidString.prefix(6))"], dueIn: DaemonHarness.farOff)
        try #require(try h.start() != nil, "no READY=1; log:\n\(h.log)")
        let pid = try #require(h.process?.processIdentifier)
        try h.seed(["E8-\(UUID().uuidString.prefix(6))-1"], dueIn: 2)
        // The relay refuses the login (535): the admin is alerted at once, at crit, and only once however
        // many batches are refused; no message is given up.
        let alerts = try DaemonHarness.waitForJournal(["MESSAGE_ID=bb8cba5bc5f04459a49c3dbc9ac7dd0e", "_PID=\(pid)"], timeout: 20) { !$0.isEmpty }
        #expect(alerts.first?["PRIORITY"] as? String == "2", "log:\n\(h.log)")
        #expect((alerts.first?["MESSAGE"] as? String)?.contains("535") == true)
        sleep(6)  // several retries (every 2 s here)
        #expect(try DaemonHarness.journal(["MESSAGE_ID=bb8cba5bc5f04459a49c3dbc9ac7dd0e", "_PID=\(pid)"]).count == 1)
        #expect(try DaemonHarness.journal(["MESSAGE_ID=735227e437ef40e581de99456801abb8", "_PID=\(pid)"]).isEmpty, "nothing given up")
        let waiting = try h.cli(["status"]).stdout
        #expect(waiting.contains("0 sent, 0 given up") && waiting.contains("the relay refuses permanenced"), "\(waiting)")
        #expect(server.receivedCount == 0)
        // The refresher writes a new token: the next batch reads it, and everything goes.
        try writeSecret("fresh-token\n", to: token)
        #expect(waitFor(server, count: 3, timeout: 20), "log:\n\(h.log)")
        let after = try h.cli(["status"]).stdout
        #expect(after.contains("3 sent, 0 given up") && !after.contains("the relay refuses"), "\(after)")
        h.stop()
    }

    @Test func aCertificateThatCannotBeVerifiedAlertsAtOnceAndGivesNothingUp() throws {
        try #require(DaemonHarness.journaldListening)
        // A relay whose certificate no CA we trust signed (no ca-file): TLS fails on every attempt.
        let cert = try TestCertificate.make()
        let server = try TestSMTPServer(tls: "starttls", certificate: cert)
        defer { server.stop() }
        let h = try started(port: server.port, ["host = \"localhost\"", "tls = \"starttls\""])
        let pid = try #require(h.process?.processIdentifier)
        try h.seed(["E9-\(UUID().uuidString.prefix(6))"], dueIn: 2)
        let alerts = try DaemonHarness.waitForJournal(["MESSAGE_ID=bb8cba5bc5f04459a49c3dbc9ac7dd0e", "_PID=\(pid)"], timeout: 20) { !$0.isEmpty }
        #expect((alerts.first?["MESSAGE"] as? String)?.contains("TLS failed") == true, "log:\n\(h.log)")
        sleep(5)
        #expect(try DaemonHarness.journal(["MESSAGE_ID=bb8cba5bc5f04459a49c3dbc9ac7dd0e", "_PID=\(pid)"]).count == 1, "alerted once")
        #expect(try DaemonHarness.journal(["MESSAGE_ID=735227e437ef40e581de99456801abb8", "_PID=\(pid)"]).isEmpty, "nothing given up")
        #expect(server.receivedCount == 0)
        #expect(try h.cli(["status"]).stdout.contains("0 given up"))
        h.stop()
    }
}
