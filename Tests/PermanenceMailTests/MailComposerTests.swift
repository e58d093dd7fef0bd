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
              stage: NotificationStage = .reminder) -> MailItem {
        // A whole-day deadline ends at the midnight after its day, as the evaluator gives it.
        let at = exact ? instant(due) : ZoneRules.europeLondon.startOfDay(date(due).adding(days: 1))
        return MailItem(key: "\(ref)/\(title)/\(stage.rawValue)0/\(at.seconds)", caseRef: ref, initials: "A.B.", ruleTitle: title,
                        action: "Book it", source: "Care Planning Regulations 2010, reg 28", stage: stage, severity: severity,
                        dueAt: at, isExact: exact)
    }

    func composer(link: String? = "https://records.example/case/{case}") -> MailComposer {
        var c = EmailConfiguration()
        c.from = "pd@council.example"
        c.caseLink = link
        return MailComposer(config: c, zone: .europeLondon, host: "pd.council.example", templates: try! shippedTemplates())
    }

    @Test func aDigestGroupsBySectionThenCase() {
        let items = [
            item("C-2", "First review", due: "2026-11-27"),
            item("C-1", "Visit within 72 hours", due: "2026-11-22T13:00", exact: true, stage: .overdue),
            item("C-1", "Health assessment", due: "2026-11-24"),
            item("C-3", "Permanence review", due: "2026-11-23T17:00", exact: true),
            item("C-2", "Life story work", due: "2027-01-15"),
        ]
        let m = composer().compose(to: .init(workerID: "sw", name: "Sam Worker", address: "sam@council.example"), items: items,
                                   immediate: false, now: now, id: "digest.sw.1")
        let text = m.text
        let order = ["OVERDUE (1)", "DUE TODAY (1)", "DUE THIS WEEK (2)", "COMING UP (1)"].map { text.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil })
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
        #expect(text.contains("Case C-1 (A.B.)\n  https://records.example/case/C-1"))
        #expect(text.contains("Was due Sun 22 Nov 2026 13:00"))
        #expect(text.contains("Due Tue 24 Nov 2026"))  // a whole-day deadline shows its day, not the next midnight
        #expect(m.subject == "Permanence deadlines Mon 23 Nov 2026: 1 overdue, 1 due today, 2 due this week, 1 coming up")
        #expect(m.html?.contains("<h2>Overdue (1)</h2>") == true)
        #expect(m.html?.contains("<a href=\"https://records.example/case/C-1\">") == true)
        #expect(m.messageID == "digest.sw.1@pd.council.example")
        let calendar = String(decoding: m.attachments[0].content, as: UTF8.self)
        #expect(calendar.components(separatedBy: "BEGIN:VEVENT").count == 6)
        #expect(calendar.contains("DTSTART;VALUE=DATE:20261124\r\nDTEND;VALUE=DATE:20261125"))
        #expect(calendar.contains("DTSTART:20261122T130000Z"))
    }

    @Test func anUrgentEmailSaysSoAndCarriesNoMoreThanItNeeds() {
        let m = composer(link: nil).compose(
            to: .init(workerID: "sw", name: "Sam", address: "sam@council.example"),
            items: [item("C-9", "Visit the child within 72 hours of placement", due: "2026-11-23T13:00", exact: true, severity: .urgent, stage: .due)],
            immediate: true, now: now, id: "immediate.sw.1")
        #expect(m.subject == "URGENT: Due Mon 23 Nov 2026 13:00: Visit the child within 72 hours of placement (case C-9)")
        #expect(m.text.contains("This needs your attention now."))
        #expect(m.text.contains("Case C-9 (A.B.)") && !m.text.contains("https://"))
        let rendered = String(decoding: m.render(), as: UTF8.self)
        #expect(rendered.contains("Auto-Submitted: auto-generated"))
    }

    @Test func namesAndTitlesAreEscapedInHTML() {
        let m = composer().compose(to: .init(workerID: "x", name: "<script>", address: "x@council.example"),
                                   items: [item("C&1", "A <b>bold</b> title", due: "2026-11-30")], immediate: false, now: now, id: "d")
        #expect(m.html?.contains("<script>") == false)
        #expect(m.html?.contains("A &lt;b&gt;bold&lt;/b&gt; title") == true)
        #expect(m.text.contains("https://records.example/case/C%261"))
    }
}

@Suite struct MailTemplatesTests {
    @Test func theShippedTemplatesParse() throws {
        _ = try shippedTemplates()
    }

    @Test func anUnknownNameIsReportedWithItsLine() {
        #expect {
            _ = try shippedTemplates { name, text in name == "digest-text" ? text.replacingOccurrences(of: "{{{source}}}", with: "{{{sauce}}}") : text }
        } throws: { error in
            let d = "\(error)"
            return d.contains("templates/digest-text.mustache:19: digest-text: unknown name 'sauce'")
        }
    }

    @Test func aSyntaxErrorIsReportedWithItsLine() {
        #expect {
            _ = try shippedTemplates { name, text in name == "urgent-html" ? text.replacingOccurrences(of: "{{/link}}", with: "{{/lnk}}") : text }
        } throws: { error in "\(error)".contains("templates/urgent-html.mustache:5: urgent-html:") }
    }

    @Test func aMissingTemplateIsReported() {
        #expect(throws: MailTemplates.Problems.self) {
            try MailTemplates.parse(["digest-text": nil], directory: "templates")
        }
    }
}
