import Foundation
import PermanenceCore
import SMTPCore
import Testing
import TestSupport
@testable import PermanenceMail

/// The shipped templates in `config/templates`.
func shippedTemplates(editing: (String, String) -> String = { $1 }) throws -> MailTemplates {
    var files: [String: SourceFile?] = [:]
    for name in MailTemplates.names {
        let url = repositoryRoot.appendingPathComponent("config/templates/\(name).mustache")
        files[name] = (try? String(contentsOf: url, encoding: .utf8)).map { SourceFile(path: "templates/\(name).mustache", text: editing(name, $0)) }
    }
    return try MailTemplates.parse(files, directory: "templates")
}

@Suite struct MailComposerTests {
    let now = instant("2026-11-23T08:30")

    func item(_ ref: String, _ title: String, due: String, exact: Bool = false, severity: Severity = .routine,
              stage: NotificationStage = .reminder, rule: String? = nil, level: Int = 0, owner: MailItem.Person? = nil,
              escalatedTo: [MailItem.Person] = []) -> MailItem {
        // A whole-day deadline ends at the midnight after its day, as the evaluator gives it.
        let at = exact ? instant(due) : ZoneRules.europeLondon.startOfDay(date(due).adding(days: 1))
        return MailItem(key: "\(ref)/\(rule ?? title)/e1#1/\(stage.rawValue)\(level)/\(at.seconds)", caseRef: ref, initials: "A.B.",
                        ruleTitle: title, action: "Book it", source: "001 Care Planning Regulations 2010, reg 28: 'at least every six weeks'",
                        stage: stage, severity: severity, dueAt: at, isExact: exact, level: level, owner: owner, escalatedTo: escalatedTo,
                        calendar: "england-and-wales", alarmLead: 2 * 86_400)
    }

    func composer(link: String? = "https://records.example/case/{case}") -> MailComposer {
        var c = EmailConfiguration()
        c.from = "pd@council.example"
        c.admin = "admin@council.example"
        c.caseLink = link
        let set = try! RuleSetFixture.shipped(packs: [Self.pack])
        return MailComposer(config: c, zone: .europeLondon, templates: try! shippedTemplates(), calendars: set.calendars,
                            defaultCalendar: "england-and-wales")
    }

    /// A pack of the test's own: only the shipped calendars matter here.
    static let pack = """
        [pack]
        id = "mail"
        title = "Mail test rules"
        source = "test"

        [[rule]]
        id = "visit"
        title = "Visit"
        anchor = "placed-for-adoption"
        due = "72h"
        met-by = "visit"
        owner = "permanence-sw"
        source = "test"
        """

    let sam = MailRecipient(workerID: "sw", name: "Worker, Sam (Team A)", address: "sam@council.example")
    let owner = MailItem.Person(id: "sw", name: "Sam Worker")
    let manager = MailItem.Person(id: "tm", name: "Łucja Ó Súilleabháin")

    @Test func aDigestListsWhatIsNewThenEverythingStillOutstandingEachDeadlineOnce() {
        let new = [
            item("C-2", "First review", due: "2026-11-27"),
            // The reminder and the due notice of one deadline: one line, the later stage.
            item("C-1", "Visit within 72 hours", due: "2026-11-23T13:00", exact: true, stage: .reminder),
            item("C-1", "Visit within 72 hours", due: "2026-11-23T13:00", exact: true, stage: .due),
        ]
        let outstanding = [
            item("C-3", "Health assessment", due: "2026-11-19", stage: .overdue),
            // Also new: shown once, as new.
            item("C-2", "First review", due: "2026-11-27"),
        ]
        let m = composer().composeDigest(to: sam, new: new, outstanding: outstanding, now: now, id: "digest.sw.1")
        let text = m.text
        #expect(text.contains("NEW SINCE YOUR LAST EMAIL (2)"), "\(text)")
        #expect(text.contains("STILL OUTSTANDING (1)"))
        #expect(text.components(separatedBy: "Visit within 72 hours").count == 2 + 1, "one item line and its source line")
        #expect(text.contains("Visit within 72 hours: due today 13:00 (in 4 hours)"))
        #expect(text.contains("First review: due Fri 27 Nov, 4 working days away"))
        // 19 Nov (Thu) was due; Fri 20 and Mon 23 have passed since.
        #expect(text.contains("Health assessment: overdue by 2 working days"))
        #expect(m.subject == "Permanence deadlines Mon 23 Nov 2026: 1 overdue, 1 due today, 1 due this week", "\(m.subject)")
        #expect(text.hasPrefix("Hello Sam Worker,"))
        // The source once per rule, in plain words.
        #expect(text.contains("Where these come from:\n  Visit within 72 hours: Care Planning Regulations 2010, reg 28\n  First review: "))
        #expect(!text.contains("001 "))
        #expect(m.html?.contains("<html lang=\"en-GB\">") == true && m.html?.contains("<meta charset=\"utf-8\">") == true)
        #expect(m.html?.contains("name=\"viewport\"") == true && m.html?.contains("<title>") == true)
        #expect(m.html?.contains("color:#b00020;font-weight:bold\">overdue by 2 working days") == true, "overdue items are marked")
        #expect(m.messageID == "digest.sw.1@council.example")
        let calendar = String(decoding: m.attachments[0].content, as: UTF8.self)
        // Overdue items are not calendar events in the past; each deadline once.
        #expect(calendar.components(separatedBy: "BEGIN:VEVENT").count == 3)
        #expect(calendar.contains("DTSTART;VALUE=DATE:20261127\r\nDTEND;VALUE=DATE:20261128"))
        // A timed deadline ends at its moment.
        #expect(calendar.contains("DTSTART:20261123T123000Z\r\nDTEND:20261123T130000Z"))
        #expect(calendar.contains("BEGIN:VALARM") && calendar.contains("TRIGGER:-PT2880M"))
        let rendered = String(decoding: m.render(), as: UTF8.self)
        #expect(rendered.contains("\r\nPrecedence: bulk\r\n") && rendered.contains("\r\nReply-To: "))
    }

    @Test func closureDaysBeforeADueDateAreSaid() {
        let m = composer().composeDigest(to: sam, new: [item("C-5", "Review", due: "2026-12-29")], outstanding: [],
                                         now: instant("2026-12-21T08:30"), id: "d")
        // 22, 23, 24 (council closure? not in this calendar), 29: Christmas Day and Boxing Day's substitute fall between.
        #expect(m.text.contains("Review: due Tue 29 Dec, "), "\(m.text)")
        #expect(m.text.contains("Christmas Day"))
    }

    @Test func anUrgentEmailLeadsWithTheCaseAndSaysWhen() {
        let m = composer(link: nil).compose(
            to: sam, about: [item("C-9", "72-hour visit", due: "2026-11-23T11:22", exact: true, severity: .urgent, stage: .due)],
            now: now, id: "urgent.sw.1")
        #expect(m.subject == "URGENT C-9 (A.B.): 72-hour visit due today 11:22 (in 2 hours)", "\(m.subject)")
        #expect(m.text.contains("Case C-9 (A.B.)") && !m.text.contains("https://"))
        let rendered = String(decoding: m.render(), as: UTF8.self)
        #expect(rendered.contains("Auto-Submitted: auto-generated"))
        #expect(rendered.contains("X-Auto-Response-Suppress: All"))
        #expect(!rendered.contains("Precedence: bulk"))
    }

    @Test func aLongTitleIsShortenedToKeepTheSubjectWithin78() {
        let m = composer().compose(
            to: sam, about: [item("DEMO-12", "Hold the looked-after child review within 20 working days of the child becoming looked after",
                                  due: "2026-11-23T16:00", exact: true, severity: .urgent, stage: .due)], now: now, id: "u")
        #expect(m.subject.count <= 78, "\(m.subject)")
        #expect(m.subject.hasPrefix("URGENT DEMO-12 (A.B.): Hold the looked-after") && m.subject.hasSuffix("due today 16:00 (in 7 hours)"))
    }

    @Test func anEscalationIsForTheManagerAndTheOwnersCopySaysToWhom() {
        var overdue = item("DEMO-1", "72-hour visit", due: "2026-11-23T06:30", exact: true, severity: .urgent, stage: .escalation,
                           level: 1, owner: owner, escalatedTo: [manager])
        overdue.ownerManager = manager
        let notice = item("DEMO-1", "72-hour visit", due: "2026-11-23T06:30", exact: true, severity: .urgent, stage: .overdue, owner: owner)
        let tm = MailRecipient(workerID: "tm", name: manager.name, address: "tm@council.example")
        let c = composer()
        let toManager = c.compose(to: tm, about: [overdue], now: now, id: "e1")
        #expect(toManager.subject == "ESCALATED: DEMO-1 (A.B.) 72-hour visit overdue by 2 hours — owner Sam Worker", "\(toManager.subject)")
        #expect(toManager.text.contains("owned by Sam Worker has been escalated to you (level 1)"))
        #expect(toManager.text.contains("reallocate"))
        // The owner's manager is named, unless the email is to that manager.
        #expect(toManager.text.contains("Owner: Sam Worker\n") && !toManager.text.contains("(manager:"))
        let senior = c.compose(to: .init(workerID: "sm", name: "Senior Manager", address: "sm@council.example"), about: [overdue], now: now, id: "e3")
        #expect(senior.text.contains("Owner: Sam Worker (manager: Łucja Ó Súilleabháin)"))
        // The owner gets one email for the two notices that fell due together, saying to whom it went.
        let toOwner = composer().compose(to: sam, about: [notice, overdue], now: now, id: "e2")
        #expect(toOwner.subject == "URGENT DEMO-1 (A.B.): 72-hour visit overdue by 2 hours, escalated (level 1)", "\(toOwner.subject)")
        #expect(toOwner.text.contains("escalated to Łucja Ó Súilleabháin"))
        #expect(!toOwner.text.contains("escalated to you"))
        // Both thread on the deadline; an overdue deadline carries no calendar event in the past.
        #expect(toManager.references == toOwner.references && toManager.references.count == 1)
        #expect(toOwner.attachments.isEmpty)
        let rendered = String(decoding: toOwner.render(), as: UTF8.self)
        #expect(rendered.contains("\r\nIn-Reply-To: <\(toOwner.references[0])>\r\nReferences: <\(toOwner.references[0])>\r\n"))
    }

    @Test func theStageIsSaidInWords() {
        let c = composer()
        func words(_ i: MailItem, _ at: String) -> String { c.standing(i, now: instant(at)).words }
        let visit = item("C", "v", due: "2026-11-23T13:00", exact: true)
        #expect(words(visit, "2026-11-23T09:00") == "due today 13:00 (in 4 hours)")
        #expect(words(visit, "2026-11-22T22:00") == "due in 15 hours (Mon 23 Nov 13:00)" || words(visit, "2026-11-22T22:00") == "due tomorrow 13:00")
        #expect(words(visit, "2026-11-23T13:40") == "overdue by 40 minutes")
        // Friday's whole-day deadline, read on Monday: one working day late, not three days.
        let friday = item("C", "r", due: "2026-11-20", stage: .escalation, level: 2)
        #expect(words(friday, "2026-11-23T10:00") == "overdue by 1 working day, escalated (level 2)")
        #expect(words(friday, "2026-11-21T10:00") == "overdue since Fri 20 Nov, escalated (level 2)")
        #expect(words(item("C", "r", due: "2027-01-05"), "2026-11-23T10:00").hasPrefix("due Tue 5 Jan 2027, "))
        // A timed deadline more than a day late: working days and the hours.
        #expect(words(visit, "2026-11-25T15:00") == "overdue by 2 working days (50 hours)")
        // Friday to Sunday: nothing in between is a working day.
        #expect(words(item("C", "r", due: "2026-11-29"), "2026-11-27T10:00") == "due Sun 29 Nov, no working day before then")
    }

    @Test func aDisplayNameIsTheGreetingAsItStands() {
        let c = composer()
        let configured = MailRecipient(workerID: "tm", name: "Ó Súilleabháin, Łucja", address: "l@council.example", greetAsIs: true)
        let m = c.composeDigest(to: configured, new: [item("C-1", "Review", due: "2026-11-30")], outstanding: [], now: now, id: "d")
        #expect(m.text.hasPrefix("Hello Ó Súilleabháin, Łucja,"))
        let directory = MailRecipient(workerID: "tm", name: "Ó Súilleabháin, Łucja (Team B)", address: "l@council.example")
        #expect(c.composeDigest(to: directory, new: [item("C-1", "Review", due: "2026-11-30")], outstanding: [], now: now, id: "d")
            .text.hasPrefix("Hello Łucja Ó Súilleabháin,"))
    }

    @Test func namesAndTitlesAreEscapedInHTML() {
        let m = composer().composeDigest(to: .init(workerID: "x", name: "<script>", address: "x@council.example"),
                                         new: [item("C&1", "A <b>bold</b> title", due: "2026-11-30")], outstanding: [], now: now, id: "d")
        #expect(m.html?.contains("<script>") == false)
        #expect(m.html?.contains("A &lt;b&gt;bold&lt;/b&gt; title") == true)
        #expect(m.text.contains("https://records.example/case/C%261"))
    }

    @Test func calendarUIDsAreTheDeadlinesAndStayWhenTheHostOrDateChanges() {
        let a = item("C-1", "Visit", due: "2026-11-30", rule: "visits")
        var moved = a
        moved.key = "C-1/visits/e1#1/reminder0/\(instant("2026-12-02T00:00").seconds)"
        moved.dueAt = instant("2026-12-02T00:00")
        let second = item("C-1", "Visit", due: "2026-12-30", rule: "visits")
        let c = composer()
        let e1 = c.event(a, now: now), e2 = c.event(moved, now: now.adding(seconds: 60))
        #expect(e1.uid == e2.uid && e1.uid.hasSuffix("@council.example"))
        #expect(e2.sequence > e1.sequence)
        var other = second
        other.key = "C-1/visits/e2#2/reminder0/1"
        #expect(c.event(other, now: now).uid != e1.uid, "each repeat of a rule is its own event")
    }

    @Test func theShippedTemplatesRenderTheSampleData() {
        #expect(composer().checkTemplates(now: now).isEmpty)
    }
}

@Suite struct MailTemplatesTests {
    @Test func theShippedTemplatesParse() throws {
        _ = try shippedTemplates()
    }

    @Test func anUnknownNameIsReportedWithItsLine() {
        #expect {
            _ = try shippedTemplates { name, text in name == "digest-text" ? text.replacingOccurrences(of: "{{{action}}}", with: "{{{sauce}}}") : text }
        } throws: { error in
            let d = "\(error)"
            return d.contains("templates/digest-text.mustache:23: digest-text: unknown name 'sauce'")
        }
    }

    @Test func aSyntaxErrorIsReportedWithItsLine() {
        #expect {
            _ = try shippedTemplates { name, text in name == "urgent-html" ? text.replacingOccurrences(of: "{{/link}}", with: "{{/lnk}}") : text }
        } throws: { error in "\(error)".contains("templates/urgent-html.mustache:20: urgent-html:") }
    }

    /// The shipped templates in a directory that lacks those whose names start with `prefix`.
    func templates(without prefix: String) throws -> MailTemplates {
        var files: [String: SourceFile?] = [:]
        for name in MailTemplates.names where !name.hasPrefix(prefix) {
            let url = repositoryRoot.appendingPathComponent("config/templates/\(name).mustache")
            files[name] = SourceFile(path: "templates/\(name).mustache", text: try String(contentsOf: url, encoding: .utf8))
        }
        return try MailTemplates.parse(files, directory: "templates")
    }

    @Test func aDirectoryWithoutTheEscalationTemplatesStillWorksWithAWarning() throws {
        let t = try templates(without: "escalation-")
        #expect(t.fallbacks.count == 3 && t.fallbacks[0].contains("escalation-subject.mustache is missing: urgent-subject.mustache is used instead"))
    }

    @Test func aDirectoryWithoutTheTeamReportTemplatesSendsNoReportAndSaysSo() throws {
        let t = try templates(without: "team-report-")
        #expect(t.fallbacks.count == 3 && t.fallbacks.allSatisfy { $0.contains("no weekly team report is sent") }, "\(t.fallbacks)")
        let c = MailComposer(config: EmailConfiguration(), zone: .europeLondon, templates: t)
        let report = TeamReport.build(TeamReportTests.inputs(), zone: .europeLondon)
        #expect(c.composeTeamReport(to: MailRecipient(workerID: "tm", name: "T M", address: "tm@example.org"), report, id: "r") == nil)
        #expect(c.checkTemplates(now: instant("2026-11-30T08:00")).isEmpty)
    }

    @Test func aTeamReportTemplateThatLeavesOutTheWorkersIsCaught() throws {
        let now = instant("2026-11-30T08:00")
        let t = try shippedTemplates { name, text in name == "team-report-text" ? text.replacingOccurrences(of: "{{{name}}}: ", with: "") : text }
        let c = MailComposer(config: EmailConfiguration(), zone: .europeLondon, templates: t)
        #expect(c.checkTemplates(now: now).contains { $0.hasPrefix("team-report-text.mustache: the sample's 'Sam Worker' is not shown") },
                "\(c.checkTemplates(now: now))")
    }

    @Test func aMissingTemplateIsReported() {
        #expect(throws: MailTemplates.Problems.self) {
            try MailTemplates.parse(["digest-text": nil], directory: "templates")
        }
    }
}
