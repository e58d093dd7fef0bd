import Foundation
import PermanenceCore
import SMTPCore
import Testing
import TestSupport
@testable import PermanenceMail

/// The emails as their readers get them: every header line checked byte by byte, the message parsed by
/// Python's `email` package with `policy.strict` (which raises on any defect), the calendar by
/// python3-icalendar, and the HTML rendered by headless Chromium at 900 and 400 pixels.
@Suite(.serialized) struct MailStandardsTests {
    let now = instant("2026-11-23T08:30")
    let owner = MailItem.Person(id: "sw", name: "Siân Llewellyn-Ó Súilleabháin")
    let manager = MailItem.Person(id: "tm", name: "Łucja Ó Súilleabháin")

    func composer(fromName: String = "Atgoffa sefydlogrwydd — Permanence reminders") -> MailComposer {
        var c = EmailConfiguration()
        c.from = "permanenced@council.example"
        c.fromName = fromName
        c.admin = "permanence-admin@council.example"
        c.caseLink = "https://records.example/cases/{case}"
        let set = try! RuleSetFixture.shipped(packs: [MailComposerTests.pack])
        return MailComposer(config: c, zone: .europeLondon, templates: try! shippedTemplates(), calendars: set.calendars,
                            defaultCalendar: "england-and-wales")
    }

    func item(_ ref: String, stage: NotificationStage, due: String, level: Int = 0, title: String = "Ymweld â’r plentyn o fewn 72 awr") -> MailItem {
        let at = instant(due)
        return MailItem(key: "\(ref)/visit-72h/placed-1#1/\(stage.rawValue)\(level)/\(at.seconds)", caseRef: ref, initials: "Ł.Ó.",
                        ruleTitle: title, action: "Visit the child and record it", source: "Care Planning, Placement and Case Review (England) Regulations 2010, reg 28(2)(a)",
                        stage: stage, severity: .urgent, dueAt: at, isExact: true, level: level, owner: owner, escalatedTo: [manager],
                        calendar: "england-and-wales", alarmLead: 24 * 3600)
    }

    /// Python's strict parse: the decoded headers, or the exception it raised.
    func strict(_ message: [UInt8]) throws -> [String: String] {
        let script = """
            import email, json, sys
            from email import policy
            try:
                m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.strict)
                parts = list(m.walk())
                out = {k: str(m[k]) for k in ["Subject", "From", "To", "Reply-To", "Message-ID", "In-Reply-To", "References", "Auto-Submitted"] if m[k] is not None}
                out["defects"] = str([d for p in parts for d in p.defects])
                out["from_name"] = m["From"].addresses[0].display_name
                out["ics"] = "".join(p.get_content() for p in parts if p.get_content_type() == "text/calendar")
            except Exception as e:
                out = {"error": repr(e)}
            print(json.dumps(out))
            """
        let (out, _) = try runProgram("/usr/bin/python3", ["-c", script], input: Data(message))
        return try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: String] ?? [:]
    }

    func headerLines(_ message: [UInt8]) -> [String] {
        let text = String(decoding: message, as: UTF8.self)
        let head = text.components(separatedBy: "\r\n\r\n")[0]
        return head.components(separatedBy: "\r\n")
    }

    @Test func headersAreFoldedEncodedAndParseStrictly() throws {
        let m = composer().compose(to: .init(workerID: "sw", name: owner.name, address: "sian@council.example"),
                                   about: [item("DEMO-1", stage: .due, due: "2026-11-23T11:22")], now: now, id: "urgent.sw.1")
        let bytes = m.render()
        for line in headerLines(bytes) {
            #expect(line.utf8.count <= 78, "header line of \(line.utf8.count): \(line)")
            if line.contains("=?UTF-8?") { #expect(line.utf8.count <= 76, "a line with encoded words is at most 76: \(line)") }
        }
        // Every part's headers too (boundaries, the calendar's type and name).
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.components(separatedBy: "\r\n") where line.hasPrefix("Content-") || line.hasPrefix(" boundary") {
            #expect(line.utf8.count <= 78, "\(line)")
        }
        let parsed = try strict(bytes)
        #expect(parsed["error"] == nil, "\(parsed)")
        #expect(parsed["Subject"] == m.subject)
        #expect(parsed["from_name"] == "Atgoffa sefydlogrwydd — Permanence reminders")
        #expect(parsed["Message-ID"] == "<urgent.sw.1@council.example>")
        #expect(parsed["Reply-To"]?.contains("permanence-admin@council.example") == true)
        #expect(parsed["Auto-Submitted"] == "auto-generated")
        #expect(parsed["In-Reply-To"] == parsed["References"] && parsed["References"]?.hasSuffix("@council.example>") == true)
        #expect(parsed["defects"] == "[]")
    }

    @Test(arguments: ["Siân Llewellyn-Ó Súilleabháin", "Permanence reminders", "Ó Súilleabháin, Łucja (Tîm Sefydlogrwydd)",
                      "Gwasanaethau Plant — Cyngor Bwrdeistref Sirol Rhondda Cynon Taf — Tîm Sefydlogrwydd a Mabwysiadu"])
    func longAndNonASCIINamesStayWithinTheirLines(name: String) throws {
        let m = composer(fromName: name).composeDigest(to: .init(workerID: "sw", name: name, address: "sw@council.example"),
                                                       new: [item("DEMO-2", stage: .reminder, due: "2026-11-25T10:00")], outstanding: [],
                                                       now: now, id: "digest.sw.2")
        let bytes = m.render()
        for line in headerLines(bytes) { #expect(line.utf8.count <= 78, "\(line.utf8.count): \(line)") }
        let parsed = try strict(bytes)
        #expect(parsed["error"] == nil, "\(parsed)")
        #expect(parsed["from_name"] == name)
    }

    /// A name too long for one encoded-word a line (no space to split at): split between characters, every
    /// line within 76, and decoded whole (RFC 2047 §6.2: the space between encoded-words is not text).
    @Test(arguments: [String(repeating: "é", count: 200), "Siân " + String(repeating: "H", count: 100) + "\"\"\"\" Ó"])
    func aNameWithAWordLongerThanALineIsSplitBetweenCharacters(name: String) {
        let field = HeaderField.mailbox(name: name, address: "a@council.example", used: 6)
        for line in ("From: " + field).components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
        // Every piece decodes (encoded-words) or stands (atoms, quoted-strings); together they are the name.
        let pieces = field.components(separatedBy: " <")[0].components(separatedBy: "\r\n ").flatMap { $0.split(separator: " ").map(String.init) }
        let decoded = pieces.map { p -> String in
            if p.hasPrefix("=?UTF-8?B?") { return String(decoding: Base64.decode(String(p.dropFirst(10).dropLast(2))) ?? [], as: UTF8.self) }
            return p.hasPrefix("\"") ? String(p.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"") + " " : p + " "
        }.joined()
        #expect(decoded.replacingOccurrences(of: " ", with: "") == name.replacingOccurrences(of: " ", with: ""))
    }

    @Test func threadingAndCalendarUIDsAreTheDeadlinesAcrossEmails() throws {
        let c = composer()
        let sw = MailRecipient(workerID: "sw", name: owner.name, address: "sw@council.example")
        let first = c.compose(to: sw, about: [item("DEMO-3", stage: .reminder, due: "2026-11-24T11:00", level: 1)], now: now, id: "a")
        // The date moved (a corrected placement time): a new notification key, the same deadline.
        let moved = c.compose(to: sw, about: [item("DEMO-3", stage: .due, due: "2026-11-24T15:00")], now: now.adding(seconds: 3600), id: "b")
        #expect(first.references == moved.references)
        let script = """
            import icalendar, json, sys
            out = []
            for path in sys.argv[1:]:
                cal = icalendar.Calendar.from_ical(open(path, "rb").read())
                for e in cal.walk("VEVENT"):
                    out.append({"uid": str(e["UID"]), "seq": int(e["SEQUENCE"]), "start": e["DTSTART"].dt.isoformat(),
                                "end": e["DTEND"].dt.isoformat(), "alarms": len(e.walk("VALARM")), "method": str(cal["METHOD"])})
            print(json.dumps(out))
            """
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (n, m) in [first, moved].enumerated() {
            let path = dir.appendingPathComponent("\(n).ics").path
            try Data(m.attachments[0].content).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let (out, status) = try runProgram("/usr/bin/python3", ["-c", script] + paths)
        #expect(status == 0)
        let events = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] ?? []
        try #require(events.count == 2, "\(out)")
        #expect(events[0]["uid"] as? String == events[1]["uid"] as? String)
        #expect((events[1]["seq"] as? Int ?? 0) > (events[0]["seq"] as? Int ?? 0))
        // A timed deadline ends at its moment (11:00 GMT), with an alarm.
        #expect(events[0]["end"] as? String == "2026-11-24T11:00:00+00:00")
        #expect(events[0]["alarms"] as? Int == 1)
        #expect(events[1]["end"] as? String == "2026-11-24T15:00:00+00:00")
    }

    @Test func aMetDeadlineIsCancelledInTheCalendarWithTheSameUID() throws {
        let c = composer()
        let sw = MailRecipient(workerID: "sw", name: owner.name, address: "sw@council.example")
        let visit = item("DEMO-7", stage: .reminder, due: "2026-11-25T10:00", level: 1)
        let first = c.composeDigest(to: sw, new: [visit], outstanding: [], now: now, id: "a")
        let next = c.composeDigest(to: sw, new: [item("DEMO-8", stage: .reminder, due: "2026-11-26T10:00", level: 1)], outstanding: [],
                                   cancelled: [(visit.deadlineKey, visit.dueAt, true)], now: now.adding(seconds: 86_400), id: "b")
        #expect(next.attachments.map(\.filename) == ["deadlines.ics", "cancelled.ics"])
        let script = """
            import icalendar, json, sys
            out = []
            for path in sys.argv[1:]:
                cal = icalendar.Calendar.from_ical(open(path, "rb").read())
                for e in cal.walk("VEVENT"):
                    out.append({"uid": str(e["UID"]), "seq": int(e["SEQUENCE"]), "method": str(cal["METHOD"]), "status": str(e.get("STATUS", ""))})
            print(json.dumps(out))
            """
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.ics"), b = dir.appendingPathComponent("b.ics")
        try Data(first.attachments[0].content).write(to: a)
        try Data(next.attachments[1].content).write(to: b)
        let (out, _) = try runProgram("/usr/bin/python3", ["-c", script, a.path, b.path])
        let events = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] ?? []
        try #require(events.count == 2, "\(out)")
        #expect(events[1]["method"] as? String == "CANCEL" && events[1]["status"] as? String == "CANCELLED")
        #expect(events[0]["uid"] as? String == events[1]["uid"] as? String)
        #expect((events[1]["seq"] as? Int ?? 0) > (events[0]["seq"] as? Int ?? 0))
        #expect(try strict(next.render())["error"] == nil)
    }

    /// Chromium, if installed (scripts/setup --tests installs Debian's `chromium`): the HTML of each kind renders at
    /// 900 and 400 pixels, and the text a person sees holds the case, the stage and the due time. The
    /// screenshots are kept under `.build/mail-screenshots/`.
    @Test func theHTMLRendersInABrowserAtDesktopAndPhoneWidths() throws {
        try #require(Chromium.path != nil, "chromium is not installed; scripts/setup --tests installs it")
        let c = composer()
        let sw = MailRecipient(workerID: "sw", name: owner.name, address: "sw@council.example")
        let tm = MailRecipient(workerID: "tm", name: manager.name, address: "tm@council.example")
        let due = item("DEMO-4", stage: .due, due: "2026-11-23T11:22")
        let late = item("DEMO-5", stage: .escalation, due: "2026-11-23T06:30", level: 1)
        let messages: [(String, MailMessage, [String])] = [
            ("urgent", c.compose(to: sw, about: [due], now: now, id: "u"), ["DEMO-4", "due today 11:22", "11:22"]),
            ("escalation", c.compose(to: tm, about: [late], now: now, id: "e"), ["DEMO-5", "overdue by 2 hours", "06:30", owner.name]),
            ("digest", c.composeDigest(to: sw, new: [due], outstanding: [item("DEMO-6", stage: .overdue, due: "2026-11-19T10:00")], now: now, id: "d"),
             ["DEMO-4", "DEMO-6", "due today 11:22", "overdue by 2 working days"]),
        ]
        let dir = repositoryRoot.appendingPathComponent(".build/mail-screenshots")
        for (kind, m, shown) in messages {
            for width in [900, 400] {
                let page = try Chromium.render(m.html ?? "", name: kind, width: width, in: dir)
                #expect(page.status == 0, "\(kind): chromium exited \(page.status)")
                for s in shown { #expect(page.visible.contains(s), "\(kind): '\(s)' is not on the page") }
                #expect(page.screenshotBytes > 1000, "\(kind) at \(width) px: no screenshot")
            }
        }
    }
}
