import Testing
import TestSupport

@testable import PermanenceCore

/// The date-sensitive paths of planning at fixed instants whose answers were worked out by hand: a Saturday,
/// a Monday, Christmas Eve (a council closure before Christmas and the Boxing Day substitute), both clock
/// changes, and 29 February. Nothing here reads the system clock, so the answers are the same on any day.
@Suite struct FixedInstantTests {
    /// Three rules the arithmetic of which is easy to follow: 72 elapsed hours (exact), 5 working days and
    /// one calendar month (whole days), each with a reminder and an escalation ladder.
    static let pack = """
        [pack]
        id = "fixed"
        title = "Fixed-instant test rules"
        source = "test"
        plans = ["adoption"]

        [[rule]]
        id = "hours"
        title = "72 hours"
        anchor = "placed-for-adoption"
        due = "72h"
        met-by = "visit"
        owner = "permanence-sw"
        remind = ["24h"]
        escalate = [{ after = "0h", notify = ["team-manager"] }, { after = "24h", notify = ["service-manager"] }]
        source = "test"

        [[rule]]
        id = "working-days"
        title = "5 working days"
        anchor = "placed-for-adoption"
        due = "5wd"
        met-by = "visit"
        owner = "permanence-sw"
        remind = ["2wd"]
        escalate = [{ after = "0d", notify = ["team-manager"] }, { after = "2wd", notify = ["service-manager"] }]
        source = "test"

        [[rule]]
        id = "month"
        title = "One month"
        anchor = "placement-order"
        due = "1mo"
        met-by = "visit"
        owner = "permanence-sw"
        escalate = [{ after = "0d", notify = ["team-manager"] }]
        source = "test"
        """

    let set: RuleSet
    let evaluator: Evaluator
    let planner: NotificationPlanner

    init() throws {
        set = try RuleSetFixture.shipped(packs: [Self.pack])
        evaluator = Evaluator(ruleSet: set)
        planner = NotificationPlanner(ruleSet: set)
    }

    let child = ChildCase(
        reference: "T-1", plan: "adoption", calendar: "england-and-wales", packs: ["fixed"],
        assignments: ["permanence-sw": "s.p", "team-manager": "r.h", "service-manager": "d.m"])

    /// `stage+level local-time` for one rule, sorted.
    func plan(_ e: [CaseEvent], rule: String) -> [String] {
        planner.plan(evaluator.evaluate(child, events: e), from: .distantPast, until: .distantFuture)
            .filter { $0.ruleID == rule }
            .map { "\($0.stage.rawValue)\($0.level) \(set.zone.iso8601($0.at).prefix(22))" }
            .sorted()
    }

    /// An anchor at `at`: hand-computed notices of the hour rule and the working-day rule.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let at: String
        let hours: [String]
        let workingDays: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Due Tue 1 Dec 10:00; the working days run Mon 30 Nov to Fri 4 Dec.
        Case(name: "a Saturday", at: "2026-11-28T10:00", hours: [
            "reminder1 2026-11-30T10:00:00+00", "due0 2026-12-01T09:00:00+00", "overdue0 2026-12-01T10:00:00+00",
            "escalation1 2026-12-01T10:00:00+00", "escalation2 2026-12-02T10:00:00+00",
        ], workingDays: [
            "reminder1 2026-12-02T09:00:00+00", "due0 2026-12-04T09:00:00+00", "overdue0 2026-12-07T09:00:00+00",
            "escalation1 2026-12-07T09:00:00+00", "escalation2 2026-12-08T09:00:00+00",
        ]),
        // Day 0 Monday: the fifth working day is the next Monday.
        Case(name: "a Monday", at: "2026-11-30T10:00", hours: [
            "reminder1 2026-12-02T10:00:00+00", "due0 2026-12-03T09:00:00+00", "overdue0 2026-12-03T10:00:00+00",
            "escalation1 2026-12-03T10:00:00+00", "escalation2 2026-12-04T10:00:00+00",
        ], workingDays: [
            "reminder1 2026-12-03T09:00:00+00", "due0 2026-12-07T09:00:00+00", "overdue0 2026-12-08T09:00:00+00",
            "escalation1 2026-12-08T09:00:00+00", "escalation2 2026-12-09T09:00:00+00",
        ]),
        // 72 hours end on a Sunday (exact deadlines keep their moment); the working days skip Christmas Day,
        // the weekend, Mon 28 Dec (Boxing Day's substitute) and New Year's Day: 29, 30, 31 Dec, 4, 5 Jan.
        Case(name: "Christmas Eve", at: "2026-12-24T10:00", hours: [
            "reminder1 2026-12-26T10:00:00+00", "due0 2026-12-27T09:00:00+00", "overdue0 2026-12-27T10:00:00+00",
            "escalation1 2026-12-27T10:00:00+00", "escalation2 2026-12-28T10:00:00+00",
        ], workingDays: [
            "reminder1 2026-12-31T09:00:00+00", "due0 2027-01-05T09:00:00+00", "overdue0 2027-01-06T09:00:00+00",
            "escalation1 2027-01-06T09:00:00+00", "escalation2 2027-01-07T09:00:00+00",
        ]),
        // 00:30 GMT on the day the clocks go forward: 72 elapsed hours end at 01:30 BST, so the due notice
        // (an hour before) is at 00:30 BST. Easter Monday (29 Mar) is no working day: Tue 30 Mar is day 1.
        Case(name: "the spring clock change", at: "2027-03-28T00:30", hours: [
            "reminder1 2027-03-30T01:30:00+01", "due0 2027-03-31T00:30:00+01", "overdue0 2027-03-31T01:30:00+01",
            "escalation1 2027-03-31T01:30:00+01", "escalation2 2027-04-01T01:30:00+01",
        ], workingDays: [
            "reminder1 2027-04-01T09:00:00+01", "due0 2027-04-05T09:00:00+01", "overdue0 2027-04-06T09:00:00+01",
            "escalation1 2027-04-06T09:00:00+01", "escalation2 2027-04-07T09:00:00+01",
        ]),
        // 01:30 BST, the first of the two 01:30s the day the clocks go back: 72 elapsed hours end at 00:30 GMT.
        Case(name: "the autumn clock change", at: "2026-10-25T01:30+01:00", hours: [
            "reminder1 2026-10-27T00:30:00+00", "due0 2026-10-27T23:30:00+00", "overdue0 2026-10-28T00:30:00+00",
            "escalation1 2026-10-28T00:30:00+00", "escalation2 2026-10-29T00:30:00+00",
        ], workingDays: [
            "reminder1 2026-10-28T09:00:00+00", "due0 2026-10-30T09:00:00+00", "overdue0 2026-11-02T09:00:00+00",
            "escalation1 2026-11-02T09:00:00+00", "escalation2 2026-11-03T09:00:00+00",
        ]),
        // A leap day (a Tuesday): 72 hours end on Fri 3 Mar; the escalation 24 hours later falls on a Saturday.
        Case(name: "29 February", at: "2028-02-29T10:00", hours: [
            "reminder1 2028-03-02T10:00:00+00", "due0 2028-03-03T09:00:00+00", "overdue0 2028-03-03T10:00:00+00",
            "escalation1 2028-03-03T10:00:00+00", "escalation2 2028-03-04T10:00:00+00",
        ], workingDays: [
            "reminder1 2028-03-03T09:00:00+00", "due0 2028-03-07T09:00:00+00", "overdue0 2028-03-08T09:00:00+00",
            "escalation1 2028-03-08T09:00:00+00", "escalation2 2028-03-09T09:00:00+00",
        ]),
    ]

    @Test(arguments: cases) func remindersDueNoticesAndEscalations(_ c: Case) {
        let e = events([("p", "placed-for-adoption", c.at)])
        #expect(plan(e, rule: "hours") == c.hours.sorted())
        #expect(plan(e, rule: "working-days") == c.workingDays.sorted())
    }

    @Test func aMonthFromTheThirtyFirstOfJanuaryEndsAtTheMonthsEnd() {
        // 2028 is a leap year: due Tue 29 Feb.
        #expect(plan(events([("o", "placement-order", "2028-01-31")]), rule: "month") == [
            "due0 2028-02-29T09:00:00+00", "escalation1 2028-03-01T09:00:00+00", "overdue0 2028-03-01T09:00:00+00",
        ])
        // 2027 is not: due Sun 28 Feb, announced the working day before and chased the working day after.
        #expect(plan(events([("o", "placement-order", "2027-01-31")]), rule: "month") == [
            "due0 2027-02-26T09:00:00+00", "escalation1 2027-03-01T09:00:00+00", "overdue0 2027-03-01T09:00:00+00",
        ])
    }

    /// What a daemon starting (or a case recorded) at `now`, with its cursor at `now`, announces at once.
    func caughtUp(_ e: [CaseEvent], now: String) -> [String] {
        let planned = planner.plan(evaluator.evaluate(child, events: e), from: instant(now), until: .distantFuture, catchUp: true)
        return DueSelection(planned: planned, now: instant(now)).due.filter { $0.notification.ruleID == "hours" }
            .map { "\($0.notification.stage.rawValue)\($0.notification.level)\($0.late ? " late" : "")" }
    }

    @Test func aDeadlineFirstSeenPastSomeOfItsNoticesIsAnnouncedOnceAtTheHighestRungPassed() {
        let placed = events([("p", "placed-for-adoption", "2026-11-28T10:00")])
        // Two hours overdue: the first escalation (at the same moment as the overdue notice, and a higher rung).
        #expect(caughtUp(placed, now: "2026-12-01T12:00") == ["escalation1 late"])
        // A day and a half overdue: the second escalation only.
        #expect(caughtUp(placed, now: "2026-12-02T22:00") == ["escalation2 late"])
        // Due within the hour: the due notice.
        #expect(caughtUp(placed, now: "2026-12-01T09:30") == ["due0 late"])
        // Only a reminder has passed: nothing now; the due notice will come in time.
        #expect(caughtUp(placed, now: "2026-11-30T12:00") == [])
        // Met (late) before it was seen: history, not announced.
        let met = placed + events([("v", "visit", "2026-12-01T11:00")])
        #expect(caughtUp(met, now: "2026-12-01T12:00") == [])
    }

    @Test func aCatchUpIsNeverPlannedTwiceForTheSameRung() {
        // The daemon queued everything up to its cursor; replanning from later brings the same key, which the
        // outbox ignores, rather than a new one.
        let placed = events([("p", "placed-for-adoption", "2026-11-28T10:00")])
        let first = planner.plan(evaluator.evaluate(child, events: placed), from: instant("2026-12-01T09:00"), until: .distantFuture)
            .first { $0.ruleID == "hours" && $0.stage == .escalation && $0.level == 1 }
        let again = planner.plan(evaluator.evaluate(child, events: placed), from: instant("2026-12-01T12:00"), until: .distantFuture, catchUp: true)
            .first { $0.ruleID == "hours" && $0.isCatchUp }
        #expect(first != nil && first?.key == again?.key)
    }
}

/// Statutory working days are the regulations' (weekends and bank holidays), not the council's calendar with
/// its closures; a local procedure's are the council's.
@Suite struct WorkingDaysTests {
    static let pack = """
        [pack]
        id = "wd"
        title = "Working-day test rules"
        source = "test"
        working-days = "statutory"

        [[rule]]
        id = "statutory-20wd"
        title = "First review"
        anchor = "became-looked-after"
        due = "20wd"
        met-by = "visit"
        owner = "social-worker"
        source = "test"

        [[rule]]
        id = "local-20wd"
        title = "Local 20 working days"
        working-days = "local"
        anchor = "became-looked-after"
        due = "20wd"
        met-by = "visit"
        owner = "social-worker"
        source = "test"
        """

    @Test func councilClosuresDoNotExtendAStatutoryTimescale() throws {
        let set = try RuleSetFixture.shipped(packs: [Self.pack])
        let child = ChildCase(reference: "T-1", plan: "long-term-fostering", calendar: "england-and-wales", packs: ["wd"], assignments: [:])
        let e = events([("l", "became-looked-after", "2025-12-01")])
        let due = Dictionary(uniqueKeysWithValues: Evaluator(ruleSet: set).evaluate(child, events: e).deadlines.compactMap { d in
            d.computed.map { (d.ruleID, $0.dueDate.description) }
        })
        // Day 0 Mon 1 Dec 2025; Christmas Eve (the shipped council closure) counts for the law, Christmas Day,
        // Boxing Day and New Year's Day do not: the 20th statutory working day is Wed 31 Dec.
        #expect(due["statutory-20wd"] == "2025-12-31")
        // The council's calendar skips its closure too: Fri 2 Jan 2026.
        #expect(due["local-20wd"] == "2026-01-02")
    }

    @Test func aBankHolidayByProclamationCountsForBoth() throws {
        let set = try RuleSetFixture.shipped(packs: [Self.pack]) { config in
            config.replacingOccurrences(of: "[calendars.england-and-wales]\n",
                                        with: "[calendars.england-and-wales]\nproclaimed = [{ date = \"2025-12-15\", name = \"Bank holiday by proclamation\" }]\n")
        }
        let child = ChildCase(reference: "T-1", plan: "long-term-fostering", calendar: "england-and-wales", packs: ["wd"], assignments: [:])
        let d = Evaluator(ruleSet: set).evaluate(child, events: events([("l", "became-looked-after", "2025-12-01")])).deadlines
        #expect(d.first { $0.ruleID == "statutory-20wd" }?.computed?.dueDate.description == "2026-01-02")
        #expect(d.first { $0.ruleID == "local-20wd" }?.computed?.dueDate.description == "2026-01-05")
    }

    @Test func aBadWorkingDaysValueNamesTheFileAndLine() throws {
        #expect {
            _ = try RuleSetFixture.shipped(packs: [Self.pack.replacingOccurrences(of: "working-days = \"local\"", with: "working-days = \"council\"")])
        } throws: { "\($0)".contains("test-0.toml:19: rule.local-20wd.working-days: 'council' is not one of statutory, local") }
    }
}
