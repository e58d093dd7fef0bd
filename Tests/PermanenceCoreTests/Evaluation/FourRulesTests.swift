import Testing

@testable import PermanenceCore

/// The four rules users ask about first, end to end on the shipped rule packs: events in, the right
/// notifications at the right instants out.
@Suite struct FourRulesTests {
    let set: RuleSet
    let evaluator: Evaluator
    let planner: NotificationPlanner

    init() throws {
        set = try shippedRuleSet()
        evaluator = Evaluator(ruleSet: set)
        planner = NotificationPlanner(ruleSet: set)
    }

    let workers = shippedTeam

    func adoptionCase(packs: [String]) -> ChildCase {
        ChildCase(reference: "T-1", plan: "adoption", calendar: "england-and-wales", packs: packs, assignments: workers)
    }

    func deadlines(_ c: ChildCase, _ e: [CaseEvent], rule: String) -> [Deadline] {
        evaluator.evaluate(c, events: e).deadlines.filter { $0.ruleID == rule }
    }

    /// `at stage level -> roles` lines for one rule, in time order.
    func plan(_ c: ChildCase, _ e: [CaseEvent], rule: String, from: String, until: String) -> [String] {
        planner.plan(evaluator.evaluate(c, events: e), from: instant(from), until: instant(until))
            .filter { $0.ruleID == rule }
            .map { "\(set.zone.iso8601($0.at)) \($0.stage.rawValue)\($0.level) \($0.recipients.map(\.role).joined(separator: ","))" }
    }

    @Test func postPlacementVisitIn72ElapsedHoursAcrossTheClockChange() throws {
        let c = adoptionCase(packs: ["leicestershire-family-finding"])
        let e = events([("p", "placed-for-adoption", "2026-10-23T14:00")])
        let d = try #require(deadlines(c, e, rule: "post-placement-visit").first?.computed)
        #expect(set.zone.iso8601(d.dueInstant) == "2026-10-26T13:00:00+00:00")
        #expect(d.isExact)
        let deadline = deadlines(c, e, rule: "post-placement-visit")[0]
        #expect(deadline.status(at: instant("2026-10-24T12:00"), zone: set.zone) == .upcoming)
        #expect(deadline.status(at: instant("2026-10-26T08:00"), zone: set.zone) == .due)
        #expect(deadline.status(at: instant("2026-10-26T13:00"), zone: set.zone) == .overdue)
        #expect(plan(c, e, rule: "post-placement-visit", from: "2026-10-23T14:00", until: "2026-11-01") == [
            "2026-10-25T13:00:00+00:00 reminder1 permanence-sw",
            "2026-10-26T09:00:00+00:00 due0 permanence-sw",
            "2026-10-26T09:00:00+00:00 reminder2 permanence-sw",
            "2026-10-26T13:00:00+00:00 escalation1 team-manager,permanence-sw",
            "2026-10-26T13:00:00+00:00 overdue0 permanence-sw",
            "2026-10-27T13:00:00+00:00 escalation2 service-manager,permanence-sw",
        ])
        // A visit on the 25th meets it on time and silences everything after it.
        let visited = e + events([("v", "visit", "2026-10-25T11:00")])
        #expect(deadlines(c, visited, rule: "post-placement-visit")[0].status(at: instant("2026-10-27"), zone: set.zone) == .metOnTime)
        #expect(plan(c, visited, rule: "post-placement-visit", from: "2026-10-23T14:00", until: "2026-11-01").isEmpty)
        // A visit on the 27th is late; notices before it still go out.
        let late = e + events([("v", "visit", "2026-10-27T10:00")])
        #expect(deadlines(c, late, rule: "post-placement-visit")[0].status(at: instant("2026-10-28"), zone: set.zone) == .metLate)
        #expect(plan(c, late, rule: "post-placement-visit", from: "2026-10-23T14:00", until: "2026-11-01").count == 5)
        // A visit recorded with a date only, on the day of placement: nothing says it came before the placement
        // (a date stands at midnight), so it meets the deadline. One the day before does not.
        let sameDay = e + events([("v", "visit", "2026-10-23")])
        #expect(deadlines(c, sameDay, rule: "post-placement-visit")[0].status(at: instant("2026-10-27"), zone: set.zone) == .metOnTime)
        // Also when a timed visit earlier that day (before the placement, so not counted) stands between them.
        let both = e + events([("v", "visit", "2026-10-23"), ("v0", "visit", "2026-10-23T09:00")])
        #expect(evaluator.evaluate(c, events: both).ids("post-placement-visit", \.met).first == "v")
        let dayBefore = e + events([("v", "visit", "2026-10-22")])
        #expect(deadlines(c, dayBefore, rule: "post-placement-visit")[0].status(at: instant("2026-10-27"), zone: set.zone) == .overdue)
    }

    @Test func adoptionReviewsRepeatFromTheDateActuallyMetUntilTheAdoptionOrder() throws {
        let c = adoptionCase(packs: ["england-adoption-statutory"])
        var e = events([
            ("p", "placed-for-adoption", "2026-10-23T14:00"),
            ("r1", "review", "2026-11-19T13:00"),
            ("r2", "review", "2027-03-01T10:00"),  // late: the third moves with it
        ])
        var ds = deadlines(c, e, rule: "adoption-review-28-day")
        #expect(ds.map { $0.computed!.dueDate.description } == ["2026-11-20", "2027-02-19", "2027-09-01"])
        let now = instant("2027-03-02")
        #expect(ds.map { $0.status(at: now, zone: set.zone) } == [.metOnTime, .metLate, .upcoming])
        #expect(plan(c, e, rule: "adoption-review-28-day", from: "2027-01-01", until: "2027-03-10") == [
            "2027-02-05T09:00:00+00:00 reminder1 permanence-sw,iro",
            "2027-02-16T09:00:00+00:00 reminder2 permanence-sw,iro",
            "2027-02-19T09:00:00+00:00 due0 permanence-sw,iro",
            "2027-02-22T09:00:00+00:00 escalation1 team-manager,permanence-sw",
            "2027-02-22T09:00:00+00:00 overdue0 permanence-sw,iro",
        ])
        // The adoption order ends the cycle: the open review becomes moot and nothing more is planned.
        e += events([("ao", "adoption-order", "2027-06-15")])
        ds = deadlines(c, e, rule: "adoption-review-28-day")
        #expect(ds.count == 3)
        #expect(evaluator.evaluate(c, events: e).ids("adoption-review-28-day", \.moot).last == "ao")
        #expect(ds[2].status(at: instant("2027-07-01"), zone: set.zone) == .notNeeded)
        #expect(plan(c, e, rule: "adoption-review-28-day", from: "2027-06-15", until: "2028-01-01").isEmpty)
    }

    @Test func exceptionReportAtWeek40IsMootOnceAnApplicationIsLodgedAndReopensIfWithdrawn() throws {
        let c = adoptionCase(packs: ["calderdale-permanence"])
        let base = events([("po", "placement-order", "2026-02-10")])
        let d = try #require(deadlines(c, base, rule: "exception-report-week-40").first?.computed)
        #expect(d.dueDate == date("2026-11-17"))
        #expect(!d.isExact)
        #expect(plan(c, base, rule: "exception-report-week-40", from: "2026-01-01", until: "2027-01-01") == [
            "2026-10-20T09:00:00+01:00 reminder1 social-worker,family-finder",
            "2026-11-10T09:00:00+00:00 reminder2 social-worker,family-finder",
            "2026-11-17T09:00:00+00:00 due0 social-worker,family-finder",
            "2026-11-18T09:00:00+00:00 overdue0 social-worker,family-finder",
            "2026-11-19T09:00:00+00:00 escalation1 team-manager,social-worker",
            "2026-12-01T09:00:00+00:00 escalation2 service-manager,social-worker",
        ])
        var lodged = base + events([("app", "adoption-application-lodged", "2026-09-01")])
        #expect(deadlines(c, lodged, rule: "exception-report-week-40")[0].status(at: instant("2026-12-01"), zone: set.zone) == .notNeeded)
        #expect(plan(c, lodged, rule: "exception-report-week-40", from: "2026-01-01", until: "2027-01-01").isEmpty)
        // Withdrawing the application re-opens the deadline.
        lodged[1] = CaseEvent(id: lodged[1].id, caseRef: lodged[1].caseRef, kind: lodged[1].kind, at: lodged[1].at, dateOnly: lodged[1].dateOnly, withdrawn: true)
        #expect(deadlines(c, lodged, rule: "exception-report-week-40")[0].status(at: instant("2026-12-01"), zone: set.zone) == .overdue)
        #expect(plan(c, lodged, rule: "exception-report-week-40", from: "2026-01-01", until: "2027-01-01").count == 6)
    }

    @Test func familyFindingReviewEveryThreeMonthsFromTheLastReviewUntilAMatch() throws {
        let c = ChildCase(
            reference: "T-2", plan: "long-term-fostering", calendar: "england-and-wales",
            packs: ["mosaic-permanence-workflow"], assignments: workers)
        var e = events([
            ("ff", "family-finding-started", "2026-06-01"),
            ("r1", "family-finding-review", "2026-09-10"),
        ])
        var ds = deadlines(c, e, rule: "family-finding-review")
        #expect(ds.map { $0.computed!.dueDate.description } == ["2026-09-01", "2026-12-10"])
        #expect(ds[0].status(at: instant("2026-10-01"), zone: set.zone) == .metLate)
        #expect(plan(c, e, rule: "family-finding-review", from: "2026-11-01", until: "2027-01-01") == [
            "2026-11-26T09:00:00+00:00 reminder1 family-finder,social-worker",
            "2026-12-07T09:00:00+00:00 reminder2 family-finder,social-worker",
            "2026-12-10T09:00:00+00:00 due0 family-finder,social-worker",
            "2026-12-11T09:00:00+00:00 overdue0 family-finder,social-worker",
            "2026-12-14T09:00:00+00:00 escalation1 team-manager,family-finder",
            "2026-12-29T09:00:00+00:00 escalation2 service-manager,family-finder",
        ])
        // A match ends it.
        e += events([("m", "match-agreed", "2026-11-20T15:00")])
        ds = deadlines(c, e, rule: "family-finding-review")
        #expect(ds.last?.status(at: instant("2026-12-20"), zone: set.zone) == .notNeeded)
        #expect(plan(c, e, rule: "family-finding-review", from: "2026-11-21", until: "2027-06-01").isEmpty)
        // The match falls through: family finding restarts from that day.
        e += events([("nm", "match-not-agreed", "2026-12-01")])
        ds = deadlines(c, e, rule: "family-finding-review")
        #expect(ds.count == 1)
        #expect(ds[0].computed?.dueDate == date("2027-03-01"))
    }

    @Test func theCourtTimetableIs26WeeksBeginningWithTheDayOfIssue() throws {
        // Children Act 1989 s32(1)(a)(ii): issued Monday 5 January 2026, the 26 weeks beginning with that day end
        // on Sunday 5 July 2026, not Monday 6 July.
        let c = ChildCase(reference: "T-3", plan: "adoption", calendar: "england-and-wales",
                          packs: ["england-practitioners-guide"], assignments: workers)
        let d = deadlines(c, events([("i", "proceedings-issued", "2026-01-05")]), rule: "court-timetable")
        #expect(d.first?.computed?.dueDate == date("2026-07-05"))
        #expect(d.first?.status(at: instant("2026-07-05T23:00"), zone: set.zone) == .due)
        #expect(d.first?.status(at: instant("2026-07-06T00:30"), zone: set.zone) == .overdue)
    }
}
