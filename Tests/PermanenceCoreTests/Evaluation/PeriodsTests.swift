import Testing
import TestSupport

@testable import PermanenceCore

/// Real case histories on the shipped packs: periods of care, placements and legal stages start their
/// rules again and close them; the dates below are worked out by hand from the regulations.
@Suite struct PeriodsTests {
    let set: RuleSet
    let evaluator: Evaluator
    let planner: NotificationPlanner

    init() throws {
        set = try shippedRuleSet()
        evaluator = Evaluator(ruleSet: set)
        planner = NotificationPlanner(ruleSet: set)
    }

    let workers = shippedTeam

    func child(_ plan: String = "adoption", calendar: String = "england-and-wales", packs: [String] = [], workers w: [String: String]? = nil) -> ChildCase {
        ChildCase(reference: "T-1", plan: plan, calendar: calendar, packs: packs, assignments: w ?? workers)
    }

    func deadlines(_ c: ChildCase, _ e: [(String, String, String)], _ rule: String) -> [Deadline] {
        evaluator.evaluate(c, events: events(e)).deadlines.filter { $0.ruleID == rule }
    }

    /// `due-date status` for each deadline of a rule, at `now`.
    func summary(_ c: ChildCase, _ e: [(String, String, String)], _ rule: String, at now: String) -> [String] {
        deadlines(c, e, rule).map { d in
            "\(d.computed.map { $0.dueDate.description } ?? "-") \(d.status(at: instant(now), zone: set.zone).rawValue)"
        }
    }

    @Test func aNewPeriodOfCareStartsTheReviewsAgain() {
        let e = [
            ("la1", "became-looked-after", "2026-01-05T10:00"),
            ("r1", "review", "2026-01-28"),
            ("home", "ceased-looked-after", "2026-03-02"),
            ("la2", "became-looked-after", "2026-06-01T16:00"),
        ]
        // First period: 20 working days from Monday 5 January is 2 February, met on 28 January; the second
        // review (3 months after the first, 28 April) was not needed once the child went home on 2 March.
        // Second period: 20 working days from Monday 1 June is Monday 29 June (reg 33(1) again).
        #expect(summary(child(), e, "cppcr-reviews", at: "2026-06-10") == [
            "2026-02-02 met-on-time", "2026-04-28 not-needed", "2026-06-29 upcoming",
        ])
        // And the 72-hour placement planning meeting of the Scottish process starts again too.
        let scot = child("reunification", calendar: "scotland", packs: ["scotland-permanence-process"])
        #expect(deadlines(scot, e, "planning-meeting-72h").count == 2)
    }

    @Test func aSecondPlacementForAdoptionAfterADisruptionStartsReg36Again() {
        let e = [
            ("p1", "placed-for-adoption", "2026-03-02T11:00"),
            ("r1", "review", "2026-03-25"),
            ("end", "placement-ended", "2026-04-10"),
            ("p2", "placed-for-adoption", "2026-06-01T11:00"),
        ]
        // Nothing is "cannot be computed": each placement has its own reviews, 4 weeks after it.
        #expect(summary(child(), e, "adoption-review-28-day", at: "2026-06-05") == [
            "2026-03-30 met-on-time", "2026-06-25 not-needed", "2026-06-29 upcoming",
        ])
        // The 72-hour visit of the second placement, and the first one's missed visit stays missed.
        #expect(summary(child(), e, "post-placement-visit", at: "2026-06-05") == ["2026-03-05 missed", "2026-06-04 overdue"])
    }

    @Test func visitFrequencyFollowsThePlacementType() {
        // Connected person under reg 24 (reg 28(4)): weekly until the first review, then 4-weekly.
        let e = [
            ("la", "became-looked-after", "2026-03-02T09:00"),
            ("p", "placed-connected-person", "2026-03-02T15:00"),
            ("v1", "visit", "2026-03-06"), ("v2", "visit", "2026-03-12"),
            ("r", "review", "2026-03-20"), ("v3", "visit", "2026-03-19"),
        ]
        let visits = deadlines(child("long-term-fostering"), e, "cppcr-visits-connected-person")
        #expect(visits.map { $0.computed!.dueDate.description } == ["2026-03-09", "2026-03-13", "2026-03-19", "2026-04-16"])
        #expect(visits.map { $0.computed!.offset.description } == ["1w", "1w", "1w", "4w"])
        // The general rule leaves that placement alone.
        #expect(deadlines(child("long-term-fostering"), e, "cppcr-visits").isEmpty)
        // A move to foster carers: 6-weekly from the move, the connected person's visits closed by it.
        let moved = e + [("p2", "placed-foster", "2026-04-01T10:00"), ("v4", "visit", "2026-04-03")]
        #expect(summary(child("long-term-fostering"), moved, "cppcr-visits", at: "2026-04-10") == ["2026-04-08 met-on-time", "2026-05-15 upcoming"])
        #expect(summary(child("long-term-fostering"), moved, "cppcr-visits-connected-person", at: "2026-04-10").last == "2026-04-16 not-needed")
    }

    /// A connected person approved as a foster parent is no longer under reg 24: visits go from 4-weekly to
    /// the 6 weeks of reg 28(2), in the same placement, whether the approval comes before or after the first
    /// review; a final order does not change that (the carer's approval does).
    @Test func approvalOfAConnectedPersonMovesTheVisitsToSixWeekly() {
        let weekly: [(String, String, String)] = [
            ("p", "placed-connected-person", "2026-03-02T15:00"),
            ("v1", "visit", "2026-03-06"), ("v2", "visit", "2026-03-12"), ("v3", "visit", "2026-03-19"),
            ("r", "review", "2026-03-20"), ("v4", "visit", "2026-04-10"),
        ]
        func dues(_ e: [(String, String, String)], _ rule: String, calendar: String = "england-and-wales") -> [String] {
            deadlines(child("long-term-fostering", calendar: calendar), e, rule).map { "\($0.computed!.dueDate) \($0.computed!.offset)" }
        }
        // 4 weeks after 10 April is 8 May; once approved on 20 April (before that), 6 weeks: 22 May, then
        // 6 weeks after the visit of 20 May: 1 July.
        let approved = weekly + [("fa", "foster-approval", "2026-04-20"), ("v5", "visit", "2026-05-20")]
        #expect(dues(approved, "cppcr-visits-connected-person") == [
            "2026-03-09 1w", "2026-03-13 1w", "2026-03-19 1w", "2026-04-16 4w", "2026-05-22 6w", "2026-07-01 6w",
        ])
        // A care order while the child stays with the temporarily approved carer changes nothing.
        #expect(dues(weekly + [("co", "final-order", "2026-04-20")], "cppcr-visits-connected-person").last == "2026-05-08 4w")
        // Approved before the first review: 6 weeks from the next visit on, not weekly until the review.
        let early: [(String, String, String)] = [
            ("p", "placed-connected-person", "2026-03-02T15:00"), ("v1", "visit", "2026-03-05"),
            ("fa", "foster-approval", "2026-03-10"),
        ]
        #expect(dues(early, "cppcr-visits-connected-person") == ["2026-03-09 1w", "2026-04-16 6w"])
        // Wales: the same under reg 31(4) and 31(2).
        #expect(dues(approved, "wales-visits-connected-person", calendar: "wales").suffix(2) == ["2026-05-22 6w", "2026-07-01 6w"])
    }

    /// An approved connected person's placement meant to last until the child is 18 stays at most 6-weekly
    /// after its first year: the 3 months of reg 28(2)(c)(i) are not applied, since a temporary approval may
    /// run on while a refusal is reviewed (reg 25(3)), and 4 weeks would then be the law.
    @Test func anApprovedConnectedPersonsLongTermPlacementStaysSixWeeklyAfterAYear() {
        let visits = ["2025-03-07", "2025-04-03", "2025-05-15", "2025-06-26", "2025-08-07", "2025-09-18", "2025-10-30",
                      "2025-12-11", "2026-01-22", "2026-03-05"]
        let e: [(String, String, String)] = [
            ("p", "placed-connected-person", "2025-03-03T10:00"), ("r", "review", "2025-03-06"),
            ("fa", "foster-approval", "2025-04-10"), ("lt", "placement-intended-until-18", "2025-09-01"),
        ] + visits.enumerated().map { ("v\($0.offset)", "visit", $0.element) }
        let ds = deadlines(child("long-term-fostering"), e, "cppcr-visits-connected-person").map { "\($0.computed!.dueDate) \($0.computed!.offset)" }
        // Weekly to the first visit; the review on 6 March makes the next 4-weekly (4 April); the approval on
        // 10 April, 6-weekly (15 May, from the visit of 3 April); and 6-weekly on after the year (16 April 2026).
        #expect(ds == [
            "2025-03-10 1w", "2025-04-04 4w", "2025-05-15 6w", "2025-06-26 6w", "2025-08-07 6w", "2025-09-18 6w",
            "2025-10-30 6w", "2025-12-11 6w", "2026-01-22 6w", "2026-03-05 6w", "2026-04-16 6w",
        ])
    }

    /// A child at home with a parent under an interim care order is visited 4-weekly after the first review
    /// (reg 28(4)); the care order ends those visits, and reg 28(5) asks for one within a week of the order,
    /// then at least every 6 weeks, in the same placement. A visit already overdue when the order is made
    /// stays missed.
    @Test func theCareOrderAtHomeAsksForAVisitWithinAWeekThenSixWeekly() {
        let e: [(String, String, String)] = [
            ("p", "placed-with-parent-ico", "2026-03-02T15:00"),
            ("v1", "visit", "2026-03-06"), ("v2", "visit", "2026-03-12"), ("v3", "visit", "2026-03-19"),
            ("r", "review", "2026-03-20"), ("v4", "visit", "2026-04-10"),
        ]
        let home = child("reunification")
        // The order on Monday 20 April: the 4-weekly visit due 8 May is not needed; one by 27 April is, met on
        // 25 April, then 6 weeks after it: 6 June.
        let ordered = e + [("co", "final-order", "2026-04-20"), ("v5", "visit", "2026-04-25")]
        #expect(summary(home, ordered, "cppcr-visits-with-parent-ico", at: "2026-05-01") == [
            "2026-03-09 met-on-time", "2026-03-13 met-on-time", "2026-03-19 met-on-time", "2026-04-16 met-on-time", "2026-05-08 not-needed",
        ])
        #expect(summary(home, ordered, "cppcr-visits-after-care-order-at-home", at: "2026-05-01") == ["2026-04-27 met-on-time", "2026-06-06 upcoming"])
        // Still interim: 4-weekly, nothing of the care order's rule.
        #expect(summary(home, e, "cppcr-visits-with-parent-ico", at: "2026-05-01").last == "2026-05-08 upcoming")
        #expect(summary(home, e, "cppcr-visits-after-care-order-at-home", at: "2026-05-01") == ["- waiting"])
        // The order on 20 May, with the visit of 8 May not made: that one stays missed, the next is due by 27 May.
        let late = e + [("co", "final-order", "2026-05-20")]
        #expect(summary(home, late, "cppcr-visits-with-parent-ico", at: "2026-05-22").last == "2026-05-08 missed")
        #expect(summary(home, late, "cppcr-visits-after-care-order-at-home", at: "2026-05-22") == ["2026-05-27 upcoming"])
        // The connected person's rule leaves this placement alone; Wales: the same under reg 31(4) and 31(5).
        #expect(deadlines(home, ordered, "cppcr-visits-connected-person").isEmpty)
        let wales = child("reunification", calendar: "wales")
        #expect(summary(wales, ordered, "wales-visits-after-care-order-at-home", at: "2026-05-01") == ["2026-04-27 met-on-time", "2026-06-06 upcoming"])
        #expect(summary(wales, ordered, "wales-visits-with-parent-ico", at: "2026-05-01").last == "2026-05-08 not-needed")
    }

    @Test func aMoveBookedInAdvanceKeepsTheCurrentPlacementsVisits() {
        let e = [
            ("p1", "placed-foster", "2026-01-05T10:00"), ("v1", "visit", "2026-01-09"),
            ("p2", "placed-foster", "2026-06-01T10:00"),  // recorded in advance
        ]
        // At 1 March the current placement's visit (6 weeks after 9 January: 20 February) is overdue.
        #expect(summary(child("long-term-fostering"), e, "cppcr-visits", at: "2026-03-01") == [
            "2026-01-12 met-on-time", "2026-02-20 overdue", "2026-06-08 upcoming",
        ])
    }

    /// Placed for adoption twice, each placement ending, with no review between: the series resumes from the
    /// same review both times. It is one deadline taken up again, not two with one key (the store keeps one
    /// row per case, rule, anchor and cycle).
    @Test func aSeriesResumedTwiceFromOneReviewIsOneDeadline() {
        let e = [
            ("la", "became-looked-after", "2025-06-02T10:00"), ("r1", "review", "2025-06-20"),
            ("pa1", "placed-for-adoption", "2025-08-01T11:00"), ("end1", "placement-ended", "2025-08-20T17:00"),
            ("pa2", "placed-for-adoption", "2025-09-01T11:00"), ("end2", "placement-ended", "2025-10-01T17:00"),
        ]
        let ds = deadlines(child(), e, "cppcr-reviews")
        let keys = ds.compactMap { d in d.computed.map { "\($0.anchor.position)#\(d.cycle)" } }
        #expect(Set(keys).count == keys.count, "\(keys)")
        // Second review 3 months after the first (20 September), suspended by the second placement, owed again
        // once it ended: overdue by 2 October.
        #expect(summary(child(), e, "cppcr-reviews", at: "2025-10-02") == ["2025-06-30 met-on-time", "2025-09-20 overdue"])
    }

    @Test func reviewsUnderCPPCRStopWhilePlacedForAdoptionAndStartAgainIfThePlacementEnds() {
        let e = [
            ("la", "became-looked-after", "2025-06-02T10:00"),
            ("r1", "review", "2025-06-20"), ("r2", "review", "2025-09-15"),
            ("pa", "placed-for-adoption", "2025-12-01T11:00"),
            ("r3", "review", "2025-12-22"),  // the AAR reg 36 review
            ("end", "placement-ended", "2026-02-02T17:00"),
        ]
        // Reg 3: the six-month review due 15 March 2026 is not owed under CPPCR once the child is placed for
        // adoption (1 December). After the disruption (2 February) the series goes on (reg 33(2)): not more
        // than six months after the last review held, the adoption review of 22 December: 22 June.
        #expect(summary(child(), e, "cppcr-reviews", at: "2026-02-10") == [
            "2025-06-30 met-on-time", "2025-09-20 met-on-time", "2026-03-15 not-needed", "2026-06-22 upcoming",
        ])
        // An adoption order ends the period of care: no review after it, recorded or not.
        let adopted = Array(e.prefix(5)) + [("ao", "adoption-order", "2026-05-01")]
        #expect(summary(child(), adopted, "cppcr-reviews", at: "2026-09-01").allSatisfy { !$0.hasSuffix("upcoming") && !$0.hasSuffix("overdue") })
        // Calderdale's CLA reviews are those reviews: they stop and go on in the same way (second review 12
        // weeks after the first, 12 September, held on the 15th).
        #expect(summary(child(), e, "calderdale-cla-reviews", at: "2026-02-10") == [
            "2025-06-30 met-on-time", "2025-09-12 met-late", "2026-03-15 not-needed", "2026-06-22 upcoming",
        ])
        // While placed, only the adoption review applies (first within 4 weeks: 29 December).
        #expect(summary(child(), e, "adoption-review-28-day", at: "2026-01-05").first == "2025-12-29 met-on-time")
    }

    /// A disruption recorded only as the child's next placement (with foster carers) ends the placement for
    /// adoption as placement-ended would: the adoption reviews and visits stop, CPPCR applies again (reg 3).
    @Test func aMoveToFosterCarersEndsThePlacementForAdoption() {
        let e = [
            ("la", "became-looked-after", "2025-11-03T10:00"), ("po", "placement-order", "2025-12-01"),
            ("pa", "placed-for-adoption", "2026-01-05T11:00"), ("v", "visit", "2026-01-07T10:00"),
            ("r", "review", "2026-01-30"), ("pf", "placed-foster", "2026-03-02T12:00"),
        ]
        // The adoption review met on 30 January; the next (3 months after it, 30 April) was not owed once
        // the child moved on 2 March: nothing overdue on 1 September.
        #expect(summary(child(), e, "adoption-review-28-day", at: "2026-09-01") == ["2026-02-02 met-on-time", "2026-04-30 not-needed"])
        // The foster placement has the CPPCR visits (within a week: 9 March) ...
        #expect(summary(child(), e, "cppcr-visits", at: "2026-03-05") == ["2026-03-09 upcoming"])
        // ... and the CPPCR reviews go on from the adoption review held (reg 33(2): 3 months, 30 April).
        #expect(summary(child(), e, "cppcr-reviews", at: "2026-03-05").last == "2026-04-30 upcoming")
        // Two placements for adoption in a row (a move between adopters) are two placements.
        let moved = [("pa1", "placed-for-adoption", "2026-01-05T11:00"), ("pa2", "placed-for-adoption", "2026-02-02T11:00")]
        #expect(summary(child(), moved, "adoption-review-28-day", at: "2026-02-10") == ["2026-02-02 not-needed", "2026-03-02 upcoming"])
    }

    /// A series taken up again after a short placement for adoption, with no review held yet, keeps the date
    /// the law counts from the start: AAR reg 36(1)(a), 3 months after the agency first had authority to
    /// place; CPPCR reg 33(1), 20 working days after the child became looked after.
    @Test func aSeriesResumedBeforeItsFirstDateKeepsThatDate() {
        let e = [
            ("la", "became-looked-after", "2026-01-05T09:00"), ("po", "placement-order", "2026-01-05"),
            ("pa", "placed-for-adoption", "2026-01-08T11:00"), ("end", "placement-ended", "2026-01-20T10:00"),
            ("pf", "placed-foster", "2026-01-20T12:00"),
        ]
        // 5 January + 3 months: 5 April (not 20 April, 3 months after the disruption).
        #expect(summary(child(), e, "aar-reviews-not-placed", at: "2026-03-01") == ["2026-04-05 upcoming"])
        // 20 working days from Monday 5 January: Monday 2 February (not 17 February).
        #expect(summary(child(), e, "cppcr-reviews", at: "2026-01-26") == ["2026-02-02 upcoming"])
        // A first date that fell while the child was placed cannot be met any more: counted afresh from the
        // end of the placement (placed 8 January, ended 10 April: 3 months from 10 April, 10 July).
        let long = [
            ("po", "placement-order", "2026-01-05"), ("pa", "placed-for-adoption", "2026-01-08T11:00"),
            ("end", "placement-ended", "2026-04-10T10:00"),
        ]
        // (The 5 April review was not owed: the child was placed before it.)
        #expect(summary(child(), long, "aar-reviews-not-placed", at: "2026-05-01") == ["2026-04-05 not-needed", "2026-07-10 upcoming"])
    }

    /// Moved from foster carers to adopters on a day recorded without times, the foster placement's end
    /// entered after the move: it ends the foster placement, not the new placement for adoption.
    @Test func aDateOnlyEndOnTheDayOfAMoveToAdoptersEndsThePlacementBefore() {
        let e = [
            ("pf", "placed-foster", "2026-01-05T12:00"), ("po", "placement-order", "2026-03-02"),
            ("pa", "placed-for-adoption", "2026-06-01"), ("end", "placement-ended", "2026-06-01"),
        ]
        // The weekly adoption visits run (within a week: 8 June, missed by 20 June) and the 28-day review is ahead.
        #expect(summary(child(), e, "aar-weekly-visits", at: "2026-06-20T12:00").first == "2026-06-08 overdue")
        #expect(summary(child(), e, "adoption-review-28-day", at: "2026-06-20T12:00") == ["2026-06-29 upcoming"])
    }

    /// Two short placements for adoption: the first date still ahead after the second disruption is the
    /// one in force after the first (3 months after the end of the first placement), not a later one.
    @Test func aSecondSuspensionKeepsTheDateInForceBeforeIt() {
        let e = [
            ("po", "placement-order", "2026-03-02"), ("pa1", "placed-for-adoption", "2026-03-04T11:00"),
            ("pf1", "placed-foster", "2026-07-01T12:00"), ("pa2", "placed-for-adoption", "2026-08-01T11:00"),
            ("pf2", "placed-foster", "2026-08-20T12:00"),
        ]
        #expect(summary(child(), e, "aar-reviews-not-placed", at: "2026-08-25").last == "2026-10-01 upcoming")
    }

    /// CPPCR reg 3 switches off reg 4 too: no care plan is asked for while the child is placed for adoption;
    /// once that placement ends, the next placement asks for one unless it was prepared in this period.
    @Test func noCarePlanIsAskedForWhilePlacedForAdoption() {
        let e = [("la", "became-looked-after", "2026-01-05T09:00"), ("pa", "placed-for-adoption", "2026-01-08T11:00")]
        #expect(summary(child(), e, "cppcr-care-plan", at: "2026-03-01").allSatisfy { !$0.hasSuffix("overdue") })
        let ended = e + [("pf", "placed-foster", "2026-03-02T12:00")]
        // Ten working days from Monday 2 March: Monday 16 March.
        #expect(summary(child(), ended, "cppcr-care-plan", at: "2026-03-20") == ["2026-03-16 overdue"])
        let prepared = [("la", "became-looked-after", "2026-01-05T09:00"), ("cp", "care-plan-prepared", "2026-01-06"),
                        ("pa", "placed-for-adoption", "2026-01-08T11:00"), ("pf", "placed-foster", "2026-03-02T12:00")]
        #expect(summary(child(), prepared, "cppcr-care-plan", at: "2026-03-20") == ["2026-03-16 met-on-time"])
        // Wales: the same (reg 3 of the 2015 Regulations).
        #expect(summary(child(calendar: "wales"), ended, "wales-care-and-support-plan", at: "2026-03-20") == ["2026-03-16 overdue"])
    }

    /// Family finding is over once the child is adopted: a local family-finding step still overdue then is a
    /// finding (missed), no longer chased.
    @Test func familyFindingStepsCloseWithTheAdoptionOrder() {
        let e = [("po", "placement-order", "2026-01-05"), ("ff", "family-finding-started", "2026-01-12"),
                 ("ao", "adoption-order", "2026-12-01")]
        let late = summary(child(), e, "family-finding-review", at: "2027-03-01")
        #expect(late.first == "2026-04-12 missed" && late.allSatisfy { !$0.hasSuffix("overdue") }, "\(late)")
        #expect(summary(child(), e, "interagency-discussion", at: "2027-03-01") == ["2026-01-19 missed"])
        // Adopters identified before the placement order: never needed.
        let found = [("ai", "adopters-identified", "2025-12-20"), ("po", "placement-order", "2026-01-05")]
        #expect(summary(child(), found, "interagency-discussion", at: "2026-03-01") == ["2026-01-19 not-needed"])
        // A placement order revoked and a new one made: the second asks for its own discussion, and nothing
        // is "cannot be worked out".
        let again = [("po1", "placement-order", "2026-01-05"), ("d", "interagency-discussion", "2026-01-15"),
                     ("rv", "placement-order-revoked", "2026-03-02"), ("po2", "placement-order", "2026-09-07")]
        #expect(summary(child(), again, "interagency-discussion", at: "2026-09-10") == ["2026-01-19 met-on-time", "2026-09-21 upcoming"])
        // Adopters identified for the first order do not count for the second; adopters identified after the
        // revocation, before the second order, do.
        let first = [("ai", "adopters-identified", "2025-12-20")] + again.filter { $0.0 != "d" }
        #expect(summary(child(), first, "interagency-discussion", at: "2026-09-10") == ["2026-01-19 not-needed", "2026-09-21 upcoming"])
        let between = again + [("ai", "adopters-identified", "2026-08-03")]
        #expect(summary(child(), between, "interagency-discussion", at: "2026-09-10") == ["2026-01-19 met-on-time", "2026-09-21 not-needed"])
    }

    @Test func anEarliestDateIsNeverMetEarly() {
        let placed = ("p", "placed-for-adoption", "2026-03-02T11:00")
        let rule = "adoption-application-not-before"
        // Ten weeks from 2 March: from 11 May.
        #expect(summary(child(), [placed], rule, at: "2026-04-20") == ["2026-05-11 not-yet"])
        #expect(summary(child(), [placed], rule, at: "2026-06-01") == ["2026-05-11 permitted"])
        #expect(summary(child(), [placed, ("a", "adoption-application-lodged", "2026-04-21")], rule, at: "2026-06-01") == ["2026-05-11 too-early"])
        #expect(summary(child(), [placed, ("a", "adoption-application-lodged", "2026-05-18")], rule, at: "2026-06-01") == ["2026-05-11 met-on-time"])
        // Nobody is reminded or chased about an earliest date.
        let plan = planner.plan(evaluator.evaluate(child(), events: events([placed])), from: instant("2026-03-01"), until: instant("2026-12-01"))
        #expect(!plan.contains { $0.ruleID == rule })
        // The same for special guardianship notice: 10 January allows an application from 10 April.
        let sgo = [("n", "sgo-notice-given", "2026-01-10"), ("a", "sgo-application", "2026-04-09")]
        #expect(summary(child("special-guardianship"), sgo, "sgo-application-not-before", at: "2026-05-01") == ["2026-04-10 too-early"])
    }

    @Test func aMissedDeadlineStaysMissedWhenItsCycleEnds() {
        // The first weekly visit after placement (9 March) never happened; the first review on 20 March ends
        // the weekly visits. It was missed, not "moot".
        let e = [("p", "placed-for-adoption", "2026-03-02T11:00"), ("r", "review", "2026-03-20")]
        #expect(summary(child(), e, "aar-weekly-visits", at: "2026-04-01") == ["2026-03-09 missed"])
        // And nothing is sent about it after the review.
        let plan = planner.plan(evaluator.evaluate(child(), events: events(e)), from: instant("2026-03-20"), until: instant("2026-05-01"))
        #expect(!plan.contains { $0.ruleID == "aar-weekly-visits" })
    }

    @Test func theCourtTimetableEndsWithTheProceedingsAndMovesWithEachExtension() {
        let c = child(packs: ["england-practitioners-guide"])
        let issued = ("i", "proceedings-issued", "2026-01-05T10:00")
        // 26 weeks beginning with Monday 5 January: the last day is Sunday 5 July.
        #expect(summary(c, [issued], "court-timetable", at: "2026-07-06") == ["2026-07-05 overdue"])
        // A placement order disposes of the proceedings.
        #expect(summary(c, [issued, ("po", "placement-order", "2026-06-30")], "court-timetable", at: "2026-07-06") == ["2026-07-05 met-on-time"])
        // s32(5): an extension of 8 weeks from the end of the period: 30 August; a second one, 25 October.
        let extended = [issued, ("x1", "timetable-extended", "2026-06-20"), ("x2", "timetable-extended", "2026-08-25")]
        #expect(summary(c, extended, "court-timetable", at: "2026-09-01") == ["2026-10-25 upcoming"])
        #expect(deadlines(c, extended, "court-timetable")[0].computed?.extensions == 2)
        #expect(evaluator.evaluate(c, events: events(extended)).ids("court-timetable", \.lastExtension) == ["x2"])
        // Withdrawn proceedings: no longer needed, not overdue for ever.
        #expect(summary(c, [issued, ("w", "proceedings-withdrawn", "2026-03-01")], "court-timetable", at: "2026-09-01") == ["2026-07-05 not-needed"])
    }

    @Test func interAgencyFamilyFindingIsNotNeededWhenAdoptersWereFoundBeforeThePlacementOrder() {
        let e = [("a", "adopters-identified", "2026-02-01"), ("po", "placement-order", "2026-03-02T10:00")]
        #expect(summary(child(), e, "interagency-discussion", at: "2026-04-01") == ["2026-03-16 not-needed"])
        #expect(summary(child(), [e[1]], "interagency-discussion", at: "2026-04-01") == ["2026-03-16 overdue"])
    }

    @Test func scottishProcessRulesCloseWhenTheChildGoesHome() {
        let c = child("reunification", calendar: "scotland", packs: ["scotland-permanence-process"])
        let e = [("la", "became-looked-after", "2026-01-05T10:00"), ("home", "ceased-looked-after", "2026-01-20")]
        #expect(summary(c, e, "six-week-review", at: "2026-06-01") == ["2026-02-16 not-needed"])
        let plan = planner.plan(evaluator.evaluate(c, events: events(e)), from: instant("2026-01-21"), until: instant("2026-12-01"))
        #expect(plan.isEmpty)
    }

    @Test func theEarlyPACEReviewIsOnlyForTestOfChangeCasesAndNeedsNoWrittenReport() {
        let c = child("reunification", calendar: "scotland", packs: ["scotland-permanence-process"])
        let e = [("la", "became-looked-after", "2026-01-05T10:00"), ("er", "early-review", "2026-01-22T10:00")]
        #expect(deadlines(c, e, "early-review").allSatisfy { $0.awaitsAnchor })
        #expect(deadlines(c, e + [("pace", "pace-test-of-change", "2026-01-05T11:00")], "early-review").first?.computed != nil)
        // Verbal reports only at the 2/3-week review: no report deadline before it.
        #expect(deadlines(c, e, "lac-report-before-review").allSatisfy { $0.computed == nil })
        let six = e + [("sw", "six-week-review", "2026-02-16T10:00")]
        #expect(evaluator.evaluate(c, events: events(six)).ids("lac-report-before-review", \.anchor) == ["sw"])
    }

    @Test func aRoleNobodyHoldsFallsToItsStandIn() {
        // A Calderdale case has a social worker and no permanence social worker.
        let c = child(packs: ["england-adoption-statutory"], workers: ["social-worker": "w.adeyemi", "team-manager": "r.hughes"])
        let evaluation = evaluator.evaluate(c, events: events([("p", "placed-for-adoption", "2026-03-02T11:00")]))
        let plan = planner.plan(evaluation, from: instant("2026-03-01"), until: instant("2026-04-30"))
        let review = plan.filter { $0.ruleID == "adoption-review-28-day" && $0.stage == .due }
        #expect(review.first?.recipients.first { $0.role == "permanence-sw" }?.worker == "w.adeyemi")
    }

    @Test func aDefaultEnglishAdoptionCaseHasTheFourHeadlineDeadlines() {
        let e = [
            ("la", "became-looked-after", "2025-09-01T10:00"), ("po", "placement-order", "2026-01-12T10:00"),
            ("ff", "family-finding-started", "2026-01-13"), ("p", "placed-for-adoption", "2026-03-02T11:00"),
        ]
        let ids = Set(evaluator.evaluate(child(), events: events(e)).deadlines.filter { $0.computed != nil }.map(\.ruleID))
        for rule in ["post-placement-visit", "adoption-review-28-day", "exception-report-week-40", "family-finding-review"] {
            #expect(ids.contains(rule), "\(rule) missing for a case with the default packs")
        }
    }

    @Test func eachNationGetsItsOwnLaw() {
        let e = [("la", "became-looked-after", "2026-01-05T10:00"), ("p", "placed-foster", "2026-01-05T15:00")]
        func rules(_ calendar: String) -> Set<String> {
            Set(evaluator.evaluate(child("long-term-fostering", calendar: calendar), events: events(e)).deadlines.map(\.ruleID))
        }
        #expect(rules("england-and-wales").contains("cppcr-reviews"))
        #expect(rules("wales").contains("wales-reviews") && !rules("wales").contains("cppcr-reviews"))
        #expect(!rules("england").contains("wales-reviews"))
        // The Leicestershire and Calderdale procedures are English: never applied to a Scottish case.
        let scot = Set(evaluator.evaluate(child(calendar: "scotland"), events: events(e)).deadlines.map { set.rules[$0.ruleIndex].pack })
        #expect(scot.isDisjoint(with: ["leicestershire-family-finding", "calderdale-permanence", "england-statutory"]))
        #expect(scot.contains("scotland-statutory"))
        // Northern Ireland: its pack says what it still leaves out (the adoption agency's reviews and visits).
        #expect(set.statutoryCoverage(calendar: "northern-ireland", packs: []).warning?.contains("Adoption Agencies Regulations (Northern Ireland) 1989") == true)
        #expect(rules("northern-ireland").isSuperset(of: ["ni-reviews", "ni-foster-visits"]))
        #expect(set.statutoryCoverage(calendar: "england-and-wales", packs: []).isComplete)
        // Wales: the adoption reviews and visits (AA(W)R 2005 reg 37) are tracked now; the pack still says that the
        // visits after the first review of a placement for adoption have no statutory interval.
        #expect(set.statutoryCoverage(calendar: "wales", packs: []).warning?.contains("reg 37(5)(a)") == true)
        #expect(set.statutoryCoverage(calendar: "wales", packs: []).warning?.contains("not in any shipped pack") == false)
        #expect(set.statutoryCoverage(calendar: "scotland", packs: ["leicestershire-family-finding"]).warning?.contains("no statutory rule pack applies to Scotland") == true)
    }

    @Test func aConnectedPersonsTemporaryApprovalRunsSixteenWeeksAndOneExtension() {
        let e = [("p", "placed-connected-person", "2026-03-02T15:00")]
        #expect(summary(child("kinship"), e, "temporary-approval-expiry", at: "2026-04-01") == ["2026-06-22 upcoming"])
        let extended = e + [("x", "temporary-approval-extended", "2026-06-10")]
        #expect(summary(child("kinship"), extended, "temporary-approval-expiry", at: "2026-07-01") == ["2026-08-17 upcoming"])
        #expect(summary(child("kinship"), extended + [("a", "foster-approval", "2026-08-01")], "temporary-approval-expiry", at: "2026-09-01") == ["2026-08-17 met-on-time"])
        // Not approved, a review sought, and the approval extended until its outcome (reg 25(3)): no end date.
        let review = extended + [("xr", "temporary-approval-extended-for-review", "2026-08-10")]
        #expect(summary(child("kinship"), review, "temporary-approval-expiry", at: "2026-10-01") == ["2026-08-17 not-needed"])
        // Recorded once the approval had already run out, it does not undo the breach.
        let late = extended + [("xr", "temporary-approval-extended-for-review", "2026-08-20")]
        #expect(summary(child("kinship"), late, "temporary-approval-expiry", at: "2026-10-01") == ["2026-08-17 missed"])
    }

    @Test func aCarePlanPreparedBeforeTheFirstPlacementMeetsReg4() {
        let e = [
            ("la", "became-looked-after", "2026-03-02T09:00"), ("cp", "care-plan-prepared", "2026-03-02T12:00"),
            ("p", "placed-foster", "2026-03-02T16:00"),
        ]
        #expect(summary(child("long-term-fostering"), e, "cppcr-care-plan", at: "2026-03-20") == ["2026-03-16 met-on-time"])
        // Without it: 10 working days from the first placement (Monday 2 March) is Monday 16 March.
        #expect(summary(child("long-term-fostering"), [e[0], e[2]], "cppcr-care-plan", at: "2026-03-20") == ["2026-03-16 overdue"])
        // A move within the period starts nothing: the plan is for the first placement.
        let moved = [e[0], e[2], ("p2", "placed-foster", "2026-04-01T10:00")]
        #expect(deadlines(child("long-term-fostering"), moved, "cppcr-care-plan").count == 1)
    }

    @Test func aRestartedSeriesIsNotHiddenByAnEarlierEndOfIt() {
        // Family finding, a match, the match falls through: the review cycle runs again from that day.
        let c = child("long-term-fostering", packs: ["mosaic-permanence-workflow"])
        let e = [("ff", "family-finding-started", "2026-01-01"), ("m", "match-agreed", "2026-03-01"), ("nm", "match-not-agreed", "2026-05-01")]
        #expect(summary(c, e, "family-finding-review", at: "2026-06-01").last == "2026-08-01 upcoming")
    }

    @Test func aMoveOnTheDayThePreviousPlacementEndedWithADateOnly() {
        // The old placement ended at 17:00; the new one is recorded with a date only, that day.
        let e = [
            ("p1", "placed-foster", "2026-01-05T10:00"), ("v1", "visit", "2026-01-09"),
            ("p2", "placed-foster", "2026-04-01"), ("end", "placement-ended", "2026-04-01T17:00"),
        ]
        #expect(summary(child("long-term-fostering"), e, "cppcr-visits", at: "2026-04-02").last == "2026-04-08 upcoming")
    }

    @Test func anExtensionCountsOnceAndOnlyBeforeTheApprovalRunsOut() {
        let placed = ("p", "placed-connected-person", "2026-03-02T15:00")
        // A second extension is not allowed (reg 25: once).
        let twice = [placed, ("x1", "temporary-approval-extended", "2026-06-10"), ("x2", "temporary-approval-extended", "2026-08-10")]
        #expect(summary(child("kinship"), twice, "temporary-approval-expiry", at: "2026-08-12") == ["2026-08-17 upcoming"])
        // One made after the approval ran out (22 June) does not revive it.
        let late = [placed, ("x", "temporary-approval-extended", "2026-07-01")]
        #expect(summary(child("kinship"), late, "temporary-approval-expiry", at: "2026-07-02") == ["2026-06-22 overdue"])
    }

    @Test func aDecisionRecordedOnPlacementDayWithADateOnlyStillSwitchesTheVisits() {
        var list: [(String, String, String)] = [("i", "placement-intended-until-18", "2025-01-06"), ("p", "placed-foster", "2025-01-06T14:00")]
        var day = date("2025-01-10")
        for n in 0..<10 {
            list.append(("v\(n)", "visit", day.description))
            day = day.adding(days: 42)
        }
        let offsets = deadlines(child("long-term-fostering"), list, "cppcr-visits").map { $0.computed!.offset.description }
        #expect(offsets.last == "3mo")
    }

    @Test func aTestOfChangeFlagRecordedBeforeTheCareEpisodeStillCounts() {
        let c = child("reunification", calendar: "scotland", packs: ["scotland-permanence-process"])
        let e = [("pace", "pace-test-of-change", "2026-01-05"), ("la", "became-looked-after", "2026-01-05T10:00")]
        #expect(deadlines(c, e, "early-review").first?.computed != nil)
    }
}
