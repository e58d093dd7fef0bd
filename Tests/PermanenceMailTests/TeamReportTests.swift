import Foundation
import PermanenceCore
import Testing
import TestSupport
@testable import PermanenceMail

/// The weekly team report: when it goes (Europe/London, working days, quiet hours), what it says, and how it
/// looks in a browser at 900 and 400 pixels. Every date is worked out by hand.
@Suite(.serialized) struct TeamReportTests {
    func timing(_ report: String, _ edit: (inout EmailConfiguration) -> Void = { _ in }) throws -> MailTiming {
        let set = try shippedRuleSet()
        var c = EmailConfiguration()
        c.teamReport = EmailConfiguration.parseWeeklyTime(report)
        edit(&c)
        return MailTiming(config: c, zone: set.zone, calendar: set.calendars["england-and-wales"]!)
    }

    @Test func theWeeklyTimeIsReadAsAdminsWriteIt() {
        #expect(EmailConfiguration.parseWeeklyTime("monday 08:00") == .init(weekday: 1, time: 8 * 3600))
        #expect(EmailConfiguration.parseWeeklyTime("Fri 16:30") == .init(weekday: 5, time: 16 * 3600 + 1800))
        #expect(EmailConfiguration.parseWeeklyTime("SUNDAY  07:05") == .init(weekday: 7, time: 7 * 3600 + 300))
        for bad in ["monday", "08:00", "mo 08:00", "monday 25:00", "monday 8", "funday 08:00", "monday 08:00 extra"] {
            #expect(EmailConfiguration.parseWeeklyTime(bad) == nil, "\(bad)")
        }
    }

    @Test func itGoesOnTheDayAtTheTimeOrTheNextWorkingDay() throws {
        let t = try timing("monday 08:00")
        // Monday 30 November 2026, 08:00 GMT: the report's moment; from Tuesday on, the last one was that Monday.
        #expect(t.teamReport(after: instant("2026-11-27T12:00")) == instant("2026-11-30T08:00"))
        #expect(t.teamReport(atOrBefore: instant("2026-11-30T08:00")) == instant("2026-11-30T08:00"))
        #expect(t.teamReport(atOrBefore: instant("2026-11-30T07:59")) == instant("2026-11-23T08:00"))
        #expect(t.teamReport(atOrBefore: instant("2026-12-02T10:00")) == instant("2026-11-30T08:00"))
        // The early May bank holiday, Monday 4 May 2026: Tuesday 5 May at 08:00 (BST, 07:00 UTC).
        #expect(t.teamReport(after: instant("2026-05-01T12:00")) == instant("2026-05-05T08:00"))
        #expect(instant("2026-05-05T08:00").seconds == Instant(seconds: 1_777_964_400).seconds)
        #expect(t.teamReport(atOrBefore: instant("2026-05-04T12:00")) == instant("2026-04-27T08:00"))
        // Christmas week: Monday 28 December 2026 is the Boxing Day substitute bank holiday: Tuesday 29th.
        #expect(t.teamReport(after: instant("2026-12-27T12:00")) == instant("2026-12-29T08:00"))
        // The weeks the clocks change: Monday 30 March 2026 08:00 is BST (07:00 UTC), Monday 26 October 2026
        // 08:00 is GMT (08:00 UTC): the local time holds, whatever the offset.
        #expect(t.teamReport(after: instant("2026-03-28T12:00")) == Instant(seconds: 1_774_854_000))
        #expect(t.teamReport(after: instant("2026-10-24T12:00")) == Instant(seconds: 1_793_001_600))
        // Quiet hours until 08:30: the report waits for their end.
        let quiet = try timing("monday 08:00") { $0.quietEnd = 8 * 3600 + 1800 }
        #expect(quiet.teamReport(after: instant("2026-11-27T12:00")) == instant("2026-11-30T08:30"))
        // A Sunday report is moved to Monday, the next working day.
        let sunday = try timing("sunday 18:00") { $0.quietStart = nil }
        #expect(sunday.teamReport(after: instant("2026-11-27T12:00")) == instant("2026-11-30T18:00"))
        // None configured: none.
        #expect(try timing("").teamReport(after: instant("2026-11-27T12:00")) == nil)
    }

    /// A team of two at Monday 30 November 2026, 08:00; the last report a week before.
    static func inputs(scope: TeamReport.Scope = .team) -> TeamReport.Inputs {
        let now = instant("2026-11-30T08:00")
        var facts = TeamFacts(since: instant("2026-11-23T08:00"), now: now)
        facts.open = [
            // Overdue since before the last report, and escalated.
            .init(caseRef: "C-1", ruleID: "visit", owner: "sw1", dueAt: instant("2026-11-20T00:00")),
            // Fell due since: newly overdue.
            .init(caseRef: "C-2", ruleID: "review", owner: "sw1", dueAt: instant("2026-11-27T00:00")),
            // Due this week (by Monday 7 December 08:00), and just after it.
            .init(caseRef: "C-3", ruleID: "visit", owner: "sw2", dueAt: instant("2026-12-03T00:00")),
            .init(caseRef: "C-3", ruleID: "review", owner: "sw2", dueAt: instant("2026-12-07T08:00")),
            // Someone else's: not counted.
            .init(caseRef: "X-9", ruleID: "visit", owner: "other", dueAt: instant("2026-11-20T00:00")),
        ]
        facts.escalated = ["C-1|visit|\(instant("2026-11-20T00:00").seconds)"]
        facts.met = [
            .init(caseRef: "C-3", ruleID: "visit", owner: "sw2", dueAt: instant("2026-11-26T00:00"), metAt: instant("2026-11-25T10:00")),
            .init(caseRef: "C-1", ruleID: "review", owner: "sw1", dueAt: instant("2026-11-24T00:00"), metAt: instant("2026-11-26T10:00")),
        ]
        facts.cases = [
            .init(ref: "C-1", initials: "A.B.", plan: "adoption", worker: "sw1", openedAt: instant("2024-01-10")),
            .init(ref: "C-2", initials: "C.D.", plan: "adoption", worker: "sw1", openedAt: instant("2026-11-25T09:00")),
            .init(ref: "C-3", initials: nil, plan: "long-term-fostering", worker: "sw2", openedAt: instant("2025-06-01")),
        ]
        var input = TeamReport.Inputs(scope: scope, workers: [("sw1", "Sam One"), ("sw2", "Kim Two")], facts: facts,
                                      titles: ["visit": "Statutory visit", "review": "Looked-after review"],
                                      plans: ["adoption": "Adoption", "long-term-fostering": "Long-term fostering"],
                                      names: ["sw1": "Sam One", "sw2": "Kim Two", "dep": "Dee Puty"])
        input.absences = [("sw2", date("2026-12-02"), date("2026-12-04"), "Dee Puty"), ("sw1", date("2026-12-20"), date("2026-12-24"), nil)]
        var s1 = AdoptionScorecard.Figures()
        // In care since 1 September 2025: 455 days on 30 November 2026, over A1's 426; placement order 1 July
        // 2026, 152 days, over A2's 121.
        s1.enteredCare = date("2025-09-01")
        s1.authorityToPlace = date("2026-07-01")
        var s2 = AdoptionScorecard.Figures()
        // In care since 2 November 2026: 28 days; no order.
        s2.enteredCare = date("2026-11-02")
        var s3 = AdoptionScorecard.Figures()
        // Long-term fostering, in care since 30 May 2025: 549 days, no scorecard threshold for that plan.
        s3.enteredCare = date("2025-05-30")
        input.scorecard = ["C-1": s1, "C-2": s2, "C-3": s3]
        input.teamOf = ["sw1": "Rhian Hughes", "sw2": "Priya Wright"]
        return input
    }

    @Test func theReportSaysWhoIsBehindWhatChangedAndWhoWaits() {
        let r = TeamReport.build(Self.inputs(), zone: .europeLondon)
        #expect(r.workers.map(\.overdue) == [2, 0])
        #expect(r.workers.map(\.dueThisWeek) == [0, 2], "a review due exactly a week ahead is this week's")
        #expect(r.workers.map(\.escalationsOpen) == [1, 0])
        #expect(r.workers[1].away == "Away Wed 2 Dec 2026 – Fri 4 Dec 2026; deputy Dee Puty")
        #expect(r.workers[0].away == nil, "an absence after the coming week is not shown")
        #expect(r.newlyOverdue.map(\.caseRef) == ["C-2"])
        #expect(r.newlyOverdue.first?.when == "Thu 26 Nov 2026", "a whole-day deadline ending at midnight was due the day before")
        #expect(r.metOnTime.map(\.caseRef) == ["C-3"] && r.metLate.map(\.caseRef) == ["C-1"])
        #expect(r.newCases.map(\.caseRef) == ["C-2"])
        #expect(r.waiting.map(\.caseRef) == ["C-3", "C-1", "C-2"])
        #expect(r.waiting.map(\.daysInCare) == [549, 455, 28])
        #expect(r.waiting[1].overA1 && r.waiting[1].overA2 && r.waiting[1].daysSinceOrder == 152)
        #expect(!r.waiting[0].overA1, "no A1 threshold for long-term fostering")
        #expect(!r.waiting[2].overA1 && r.waiting[2].daysSinceOrder == nil)
        #expect(r.teams.isEmpty)
        let service = TeamReport.build(Self.inputs(scope: .service), zone: .europeLondon)
        #expect(service.teams.map(\.manager) == ["Rhian Hughes", "Priya Wright"])
        #expect(service.teams.map(\.overdue) == [2, 0])
    }

    func composer() throws -> MailComposer {
        var c = EmailConfiguration()
        c.from = "permanenced@council.example"
        c.admin = "permanence-admin@council.example"
        c.caseLink = "https://records.example/cases/{case}"
        return MailComposer(config: c, zone: .europeLondon, templates: try shippedTemplates())
    }

    @Test func theEmailSaysItInTextAndHTMLWithCasesByReferenceAndInitialsOnly() throws {
        let r = TeamReport.build(Self.inputs(), zone: .europeLondon)
        let tm = MailRecipient(workerID: "tm", name: "Hughes, Rhian (Team A)", address: "tm@council.example")
        let m = try #require(try composer().composeTeamReport(to: tm, r, id: "team-report.tm.1"))
        #expect(m.subject == "Your team this week, Mon 30 Nov 2026: 2 overdue, 2 due this week, 1 escalations open")
        #expect(m.text.contains("Hello Rhian Hughes,"))
        #expect(m.text.contains("Sam One: 2 overdue, 0 due this week, 1 escalations open  ####################"), "\(m.text)")
        #expect(m.text.contains("Kim Two: 0 overdue, 2 due this week, 0 escalations open  ++++++++++++++++++++"), "\(m.text)")
        #expect(m.text.contains("Newly overdue: Case C-2 (C.D.): Looked-after review (was due Thu 26 Nov 2026; Sam One)"))
        #expect(m.text.contains("Met late: Case C-1 (A.B.): Looked-after review (met Thu 26 Nov 2026; Sam One)"))
        #expect(m.text.contains("Case C-1 (A.B.), Adoption (Sam One): 455 days in care, over the A1 threshold (426 days); 152 days since the placement order, not matched, over the A2 threshold (121 days)"), "\(m.text)")
        let html = try #require(m.html)
        #expect(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("url("), "no script or external resource")
        for s in ["Sam One", "Case C-2 (C.D.)", "over A1 (426 days)", "Dee Puty"] { #expect(html.contains(s), "\(s)") }
        // Nothing of the people beyond initials and references; the workers' addresses nowhere.
        #expect(!m.text.contains("@council.example") || m.text.contains("tm@") == false)
        let rendered = String(decoding: m.render(), as: UTF8.self)
        #expect(rendered.contains("Auto-Submitted: auto-generated"))
    }

    /// Headless Chromium (Debian's `chromium`, which scripts/setup --tests installs) at fixed instants: a
    /// Monday, the Tuesday after a bank holiday Monday, the week the clocks go back. At 400 pixels nothing is
    /// wider than the window; screenshots are kept under `.build/mail-screenshots/`.
    @Test func theReportRendersInABrowserAt900And400Pixels() throws {
        try #require(Chromium.path != nil, "chromium is not installed; scripts/setup --tests installs it")
        let dir = repositoryRoot.appendingPathComponent(".build/mail-screenshots")
        let tm = MailRecipient(workerID: "tm", name: "Rhian Hughes", address: "tm@council.example")
        for (name, at, shown) in [("monday", "2026-11-30T08:00", "Mon 30 Nov 2026 08:00"), ("bank-holiday", "2026-05-05T08:00", "Tue 5 May 2026 08:00"),
                                  ("clocks-back", "2026-10-26T08:00", "Mon 26 Oct 2026 08:00")] {
            var input = Self.inputs(scope: name == "monday" ? .team : .service)
            let shift = instant(at).seconds - input.facts.now.seconds
            input.facts.now = instant(at)
            input.facts.since = input.facts.now.adding(seconds: -7 * 86_400)
            input.facts.open = input.facts.open.map { var d = $0; d.dueAt = d.dueAt.adding(seconds: shift); return d }
            input.facts.met = input.facts.met.map { var d = $0; d.dueAt = d.dueAt.adding(seconds: shift); d.metAt = d.metAt?.adding(seconds: shift); return d }
            input.facts.escalated = ["C-1|visit|\(instant("2026-11-20T00:00").seconds + shift)"]
            let m = try #require(try composer().composeTeamReport(to: tm, TeamReport.build(input, zone: .europeLondon), id: "r"))
            for width in [900, 400] {
                let page = try Chromium.render(m.html ?? "", name: "team-report-\(name)", width: width, in: dir)
                #expect(page.status == 0)
                #expect(page.visible.contains(shown), "\(name): '\(shown)' is not on the page")
                #expect(page.rightEdge > 0 && page.rightEdge <= width, "\(name) at \(width) px: content \(page.rightEdge) px wide")
                #expect(page.screenshotBytes > 1000, "\(name) at \(width) px: no screenshot")
            }
        }
    }
}
