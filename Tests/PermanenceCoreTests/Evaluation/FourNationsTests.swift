import Testing
import TestSupport

@testable import PermanenceCore

/// Every looked-after child in the four nations, on the shipped packs: Northern Ireland, Welsh adoption and
/// temporary approval, short breaks, Scottish children at home, and what ends a period of care. Each date below
/// is worked out by hand from the regulation the rule cites, at explicit instants.
@Suite struct FourNationsTests {
    let set: RuleSet
    let evaluator: Evaluator

    init() throws {
        set = try shippedRuleSet()
        evaluator = Evaluator(ruleSet: set)
    }

    func child(_ plan: String = "reunification", calendar: String) -> ChildCase {
        ChildCase(reference: "C1", plan: plan, calendar: calendar, assignments: shippedTeam)
    }

    /// `due-date status` for each computed deadline of a rule, at `now`.
    func summary(_ c: ChildCase, _ e: [(String, String, String)], _ rule: String, at now: String) -> [String] {
        evaluator.evaluate(c, events: events(e)).deadlines.filter { $0.ruleID == rule }.compactMap { d in
            d.computed.map { "\($0.dueDate) \(d.status(at: instant(now), zone: set.zone).rawValue)" }
        }
    }

    // MARK: Northern Ireland

    @Test func northernIrishReviewsAndFosterVisits() {
        let e = [
            ("la", "became-looked-after", "2026-01-05T10:00"),
            ("p", "placed-foster", "2026-01-05T10:00"),
            ("v1", "visit", "2026-01-09"),
            ("r1", "review", "2026-01-16"),
        ]
        let ni = child(calendar: "northern-ireland")
        // SR 1996/461 reg 3(1): within 2 weeks of Monday 5 January: Monday 19 January (calendar weeks, no working
        // days); met on the 16th. Reg 3(2): the second not more than 3 months after the first: 16 April.
        #expect(summary(ni, e, "ni-reviews", at: "2026-02-01") == ["2026-01-19 met-on-time", "2026-04-16 upcoming"])
        // SR 1996/467 reg 6(1)(a): within one week from its beginning (12 January), met on the 9th; then at least
        // once every month: 9 February.
        #expect(summary(ni, e, "ni-foster-visits", at: "2026-02-01") == ["2026-01-12 met-on-time", "2026-02-09 upcoming"])
        // The English 20-working-day review is not applied to a Northern Irish child.
        #expect(summary(ni, e, "cppcr-reviews", at: "2026-02-01").isEmpty)
    }

    @Test func northernIrishEmergencyAndImmediatePlacements() {
        let ni = child(calendar: "northern-ireland")
        // Reg 11(1): an emergency placement at 18:00 on Monday 2 March may last 24 hours, to 18:00 on the 3rd.
        let emergency = [("la", "became-looked-after", "2026-03-02T18:00"), ("p", "placed-emergency", "2026-03-02T18:00")]
        #expect(summary(ni, emergency, "ni-emergency-placement-limit", at: "2026-03-04") == ["2026-03-03 overdue"])
        // Made an ordinary foster placement at noon on the 3rd: in time, the limit and the weekly visit are no
        // longer needed, and the foster placement's own visit is due within a week of it (10 March).
        let moved = emergency + [("p2", "placed-foster", "2026-03-03T12:00")]
        #expect(summary(ni, moved, "ni-emergency-placement-limit", at: "2026-03-04") == ["2026-03-03 not-needed"])
        #expect(summary(ni, moved, "ni-emergency-immediate-visits", at: "2026-03-04") == ["2026-03-08 not-needed"])
        #expect(summary(ni, moved, "ni-foster-visits", at: "2026-03-04") == ["2026-03-10 upcoming"])

        // Reg 11(3), reg 6(2): an immediate placement with a relative on Monday 2 March: visited in its first week
        // (Monday 2 to Sunday 8 March), then no more than a week apart; approved as a foster parent on 1 May,
        // within the 12 weeks (25 May), and visited monthly after that.
        let immediate = [
            ("la", "became-looked-after", "2026-03-02"), ("p", "placed-immediate", "2026-03-02"),
            ("v1", "visit", "2026-03-06"), ("v2", "visit", "2026-03-13"),
            ("ok", "foster-approval", "2026-05-01"), ("v3", "visit", "2026-05-04"),
        ]
        #expect(summary(ni, immediate, "ni-immediate-placement-limit", at: "2026-05-05") == ["2026-05-25 met-on-time"])
        // 6 March + 1 week = 13 March (met); 13 March + 1 week = 20 March, missed (the next visit was 4 May):
        // met late; after the approval, 4 May + 1 month = 4 June.
        #expect(summary(ni, immediate, "ni-emergency-immediate-visits", at: "2026-05-05") == [
            "2026-03-08 met-on-time", "2026-03-13 met-on-time", "2026-03-20 met-late", "2026-06-04 upcoming",
        ])
    }

    @Test func aConnectedPersonInNorthernIrelandIsAnImmediatePlacement() {
        // Recorded as England and Wales call it: in Northern Ireland an unapproved relative's placement is an
        // immediate placement (reg 11(3)): weekly visits (the first by Sunday 8 March) and 12 weeks (25 May).
        let ni = child(calendar: "northern-ireland")
        let relative = [("la", "became-looked-after", "2026-03-02"), ("p", "placed-connected-person", "2026-03-02")]
        #expect(summary(ni, relative, "ni-emergency-immediate-visits", at: "2026-03-03") == ["2026-03-08 upcoming"])
        #expect(summary(ni, relative, "ni-immediate-placement-limit", at: "2026-03-03") == ["2026-05-25 upcoming"])
        #expect(summary(ni, relative, "ni-foster-visits", at: "2026-03-03").isEmpty)
    }

    @Test func northernIrishVisitsToAChildPlacedWithParents() {
        // SR 1996/463 reg 9(1)(b): within one week of Monday 5 January 2026 (12 January), then not more than 4 weeks
        // apart during the first year of the placement (to 5 January 2027), then not more than 3 months apart.
        var e = [("la", "became-looked-after", "2026-01-05"), ("p", "placed-with-parent", "2026-01-05")]
        // Visits exactly 4 weeks apart from 12 January: the 14th (k = 13) is on 11 January 2027, after the first
        // anniversary, so the next is due 3 months after it: 11 April 2027.
        for k in 0...13 {
            let day = LocalDate(year: 2026, month: 1, day: 12)!.adding(days: 28 * k)
            e.append(("v\(k)", "visit", day.description))
        }
        let s = summary(child(calendar: "northern-ireland"), e, "ni-visits-with-parent", at: "2027-02-01")
        #expect(s.count == 15)
        #expect(s.prefix(14).allSatisfy { $0.hasSuffix("met-on-time") })
        // 14 December 2026 (k = 12) + 4 weeks = 11 January 2027: still a first-year interval.
        #expect(Array(s.suffix(3)) == ["2026-12-14 met-on-time", "2027-01-11 met-on-time", "2027-04-11 upcoming"])
    }

    @Test func northernIrishShortPeriods() {
        let e = [
            ("plan", "short-breaks-planned", "2026-02-02"),
            ("s1", "placed-short-break", "2026-02-06T17:00"), ("e1", "short-break-ended", "2026-02-08T17:00"),
            ("v1", "visit", "2026-02-07"),
            ("s2", "placed-short-break", "2026-03-06T17:00"), ("e2", "short-break-ended", "2026-03-20T10:00"),
        ]
        let ni = child(calendar: "northern-ireland")
        // SR 1996/461 reg 11(2)(a): within 3 months of the beginning of the first short period: 6 May.
        #expect(summary(ni, e, "ni-short-break-reviews", at: "2026-03-25") == ["2026-05-06 upcoming"])
        // SR 1996/467 reg 9(3): within the first 7 placement days (counted as the seventh day from Friday 6 February:
        // 12 February), met on the 7th; then not more than 6 months: 7 August.
        #expect(summary(ni, e, "ni-short-break-visits", at: "2026-03-25") == ["2026-02-12 met-on-time", "2026-08-07 upcoming"])
        // No ordinary review or monthly visit for the stays: the fortnight's stay is not a missed visit.
        #expect(summary(ni, e, "ni-foster-visits", at: "2026-03-25").isEmpty)
        #expect(summary(ni, e, "ni-reviews", at: "2026-03-25").isEmpty)
    }

    // MARK: Wales

    @Test func welshAdoptionReviewsAndVisits() {
        let e = [
            ("la", "became-looked-after", "2025-09-01"), ("p", "placed-foster", "2025-09-01"),
            ("po", "placement-order", "2026-01-05"),
            ("r1", "review", "2026-03-30"),
            ("pa", "placed-for-adoption", "2026-05-04T11:00"),
            ("v1", "visit", "2026-05-08"), ("v2", "visit", "2026-05-15"),
            ("r2", "review", "2026-05-20"),
        ]
        let wales = child("adoption", calendar: "wales")
        // AA(W)R reg 37(3): not more than 3 months after the agency first had authority to place (5 January): 5 April,
        // met on 30 March; the next (6 months after, 30 September) was not needed once the child was placed.
        #expect(summary(wales, e, "wales-adoption-reviews-not-placed", at: "2026-05-25") == ["2026-04-05 met-on-time", "2026-09-30 not-needed"])
        // Reg 37(4): not more than 4 weeks after placement on 4 May (1 June), met on 20 May; then 3 months after it.
        #expect(summary(wales, e, "wales-adoption-reviews", at: "2026-05-25") == ["2026-06-01 met-on-time", "2026-08-20 upcoming"])
        // Reg 37(5)(a): within one week (11 May), weekly until the first review (20 May), then as decided.
        #expect(summary(wales, e, "wales-adoption-visits", at: "2026-05-25") == ["2026-05-11 met-on-time", "2026-05-15 met-on-time", "2026-05-22 not-needed"])
        // The CPPCR reviews stop while placed for adoption (reg 3).
        #expect(!summary(wales, e, "wales-reviews", at: "2026-05-25").contains { $0.hasSuffix("upcoming") || $0.hasSuffix("overdue") })
        // Reg 37(11): returned to the agency on 1 July: a review no later than 28 days after (29 July).
        let back = e + [("ret", "returned-to-agency", "2026-07-01")]
        #expect(summary(wales, back, "wales-adoption-review-after-return", at: "2026-07-02") == ["2026-07-29 upcoming"])
        #expect(summary(wales, back, "wales-adoption-reviews", at: "2026-07-02") == ["2026-06-01 met-on-time", "2026-08-20 not-needed"])
    }

    @Test func authorityToPlaceByConsent() {
        // ACA 2002 s19 consent on 5 January, then a placement order on 2 March: the agency first had authority to
        // place on 5 January, so the review is due 3 months after that (5 April), in Wales (reg 37(3)) and England
        // (AAR 2005 reg 36(1)) alike.
        let e = [
            ("la", "became-looked-after", "2025-09-01"), ("p", "placed-foster", "2025-09-01"),
            ("c", "placement-consent", "2026-01-05"), ("po", "placement-order", "2026-03-02"),
        ]
        #expect(summary(child("adoption", calendar: "wales"), e, "wales-adoption-reviews-not-placed", at: "2026-03-10") == ["2026-04-05 upcoming"])
        #expect(summary(child("adoption", calendar: "england-and-wales"), e, "aar-reviews-not-placed", at: "2026-03-10") == ["2026-04-05 upcoming"])
        // Consent withdrawn on 1 February, before any order: no review is owed.
        let withdrawn = [e[0], e[1], e[2], ("w", "placement-consent-withdrawn", "2026-02-01")]
        #expect(summary(child("adoption", calendar: "wales"), withdrawn, "wales-adoption-reviews-not-placed", at: "2026-03-10") == ["2026-04-05 not-needed"])
    }

    @Test func welshTemporaryApproval() {
        let wales = child(calendar: "wales")
        let e = [("la", "became-looked-after", "2026-01-05"), ("p", "placed-connected-person", "2026-01-05")]
        // CPPCR (Wales) reg 26(1): not exceeding 16 weeks from 5 January: 27 April.
        #expect(summary(wales, e, "wales-temporary-approval-expiry", at: "2026-03-01") == ["2026-04-27 upcoming"])
        // Reg 27(2): extended once, by up to 8 weeks, while it runs: 22 June; a second extension does not count.
        let extended = e + [("x1", "temporary-approval-extended", "2026-04-20"), ("x2", "temporary-approval-extended", "2026-06-15")]
        #expect(summary(wales, extended, "wales-temporary-approval-expiry", at: "2026-05-01") == ["2026-06-22 upcoming"])
        // Reg 27(3): extended until the outcome of a review of a refusal: no end date any more.
        let review = e + [("x", "temporary-approval-extended-for-review", "2026-04-20")]
        #expect(summary(wales, review, "wales-temporary-approval-expiry", at: "2026-05-01") == ["2026-04-27 not-needed"])
    }

    // MARK: Short breaks

    @Test func englishShortBreaksReplaceTheOrdinaryReviewsAndVisits() {
        let e = [
            ("plan", "short-breaks-planned", "2026-01-12"),
            ("cp", "care-plan-prepared", "2026-01-20"),
            ("s1", "placed-short-break", "2026-02-06T17:00"), ("e1", "short-break-ended", "2026-02-09T10:00"),
            ("s2", "placed-short-break", "2026-03-06T17:00"), ("e2", "short-break-ended", "2026-03-16T10:00"),
            ("r1", "review", "2026-04-20"),
        ]
        let eng = child(calendar: "england-and-wales")
        // Reg 4(2) (not disapplied by reg 48(3)(a)): before the first stay, or within 10 working days of Friday 6
        // February (20 February): prepared on 20 January, after the series was agreed.
        #expect(summary(eng, e, "cppcr-short-break-care-plan", at: "2026-03-20") == ["2026-02-20 met-on-time"])
        // Reg 48(3)(d): first review within 3 months of the start of the first placement (6 May), met 20 April;
        // then not more than 6 months (20 October). Reg 48(3)(c): the first visit within 3 months too.
        #expect(summary(eng, e, "cppcr-short-break-reviews", at: "2026-05-01") == ["2026-05-06 met-on-time", "2026-10-20 upcoming"])
        #expect(summary(eng, e, "cppcr-short-break-visits", at: "2026-05-01") == ["2026-05-06 upcoming"])
        // The ten-day stay from 6 March is not a missed one-week visit, and no 20-working-day review is asked for.
        for rule in ["cppcr-visits", "cppcr-reviews", "cppcr-care-plan"] {
            #expect(summary(eng, e, rule, at: "2026-05-01").isEmpty, "\(rule)")
        }
        // The series ends when the child comes into full-time care on Monday 1 June: its review is no longer
        // needed, and reg 33 starts: 20 working days from 1 June is 29 June.
        let care = e + [("la", "became-looked-after", "2026-06-01T10:00"), ("f", "placed-foster", "2026-06-01T10:00")]
        #expect(summary(eng, care, "cppcr-short-break-reviews", at: "2026-06-02") == ["2026-05-06 met-on-time", "2026-10-20 not-needed"])
        #expect(summary(eng, care, "cppcr-reviews", at: "2026-06-02") == ["2026-06-29 upcoming"])
        #expect(summary(eng, care, "cppcr-visits", at: "2026-06-02") == ["2026-06-08 upcoming"])
    }

    @Test func welshAndScottishShortBreaks() {
        let e = [
            ("s1", "placed-short-break", "2026-02-06T17:00"), ("e1", "short-break-ended", "2026-02-09T10:00"),
            ("v1", "visit", "2026-02-07"),
        ]
        // Wales reg 62(3)(c)-(d): first visit within the first 7 placement days (counted as 12 February), then 6
        // months; first review within 3 months of the first placement (6 May).
        let wales = child(calendar: "wales")
        #expect(summary(wales, e, "wales-short-break-visits", at: "2026-03-01") == ["2026-02-12 met-on-time", "2026-08-07 upcoming"])
        #expect(summary(wales, e, "wales-short-break-reviews", at: "2026-03-01") == ["2026-05-06 upcoming"])
        #expect(summary(wales, e, "wales-visits", at: "2026-03-01").isEmpty)
        // Scotland regs 14 and 30 with reg 45(3), 46(2): first review within 3 months of the first placement (6
        // May); visits within a week (13 February), then 3-monthly from the visit (7 May).
        let scot = child(calendar: "scotland")
        #expect(summary(scot, e, "lac-scotland-short-break-reviews", at: "2026-03-01") == ["2026-05-06 upcoming"])
        #expect(summary(scot, e, "lac-scotland-short-break-visits", at: "2026-03-01") == ["2026-02-13 met-on-time", "2026-05-07 upcoming"])
        #expect(summary(scot, e, "lac-scotland-visits", at: "2026-03-01").isEmpty)
    }

    @Test func aCarePlanBeforeTheFirstStayCountsForTheSeries() {
        // Reg 4(2) with reg 48(3)(a): prepared on 1 February, before the first stay on Friday 6 February, with no
        // series recorded before the stay: it meets "before the first placement or within 10 working days" (20
        // February).
        let e = [("cp", "care-plan-prepared", "2026-02-01"), ("s1", "placed-short-break", "2026-02-06T17:00")]
        #expect(summary(child(calendar: "england-and-wales"), e, "cppcr-short-break-care-plan", at: "2026-02-10") == ["2026-02-20 met-on-time"])
        #expect(summary(child(calendar: "wales"), e, "wales-short-break-care-plan", at: "2026-02-10") == ["2026-02-20 met-on-time"])
    }

    @Test func aCareOrderEndsASeriesOfShortBreaks() {
        // Reg 48(2)(a): only for a child not in the authority's care. A care order on 1 June ends the series: the
        // short-break review (due 20 October) is no longer needed, and the ordinary reviews go on from it (20
        // working days from Monday 1 June: 29 June; the period of care began on 1 June).
        let e = [
            ("s1", "placed-short-break", "2026-02-06T17:00"), ("e1", "short-break-ended", "2026-02-09T10:00"),
            ("r1", "review", "2026-04-20"),
            ("la", "became-looked-after", "2026-06-01T10:00"), ("co", "final-order", "2026-06-01T10:00"),
        ]
        let eng = child(calendar: "england-and-wales")
        #expect(summary(eng, e, "cppcr-short-break-reviews", at: "2026-06-02") == ["2026-05-06 met-on-time", "2026-10-20 not-needed"])
        #expect(summary(eng, e, "cppcr-reviews", at: "2026-06-02") == ["2026-06-29 upcoming"])
    }

    @Test func aStayEndingDoesNotEndTimeAtHome() {
        // A Scottish child at home under a compulsory supervision order has respite stays: the end of a stay is
        // not the end of the time at home, and the reg 44 review stays due (16 February).
        let e = [
            ("la", "became-looked-after", "2026-01-05T10:00"), ("h", "placed-home-supervision", "2026-01-05T10:00"),
            ("s1", "placed-short-break", "2026-01-23T17:00"), ("e1", "short-break-ended", "2026-01-25T17:00"),
        ]
        #expect(summary(child(calendar: "scotland"), e, "lac-scotland-home-reviews", at: "2026-02-01") == ["2026-02-16 upcoming"])
    }

    // MARK: Scotland at home

    @Test func aScottishChildAtHomeHasReg44Reviews() {
        let base = [
            ("la", "became-looked-after", "2026-01-05T10:00"), ("h", "placed-home-supervision", "2026-01-05T10:00"),
            ("r1", "review", "2026-02-10"),
        ]
        let scot = child(calendar: "scotland")
        // Reg 44(6), no agreement: a first review within 6 weeks of the placement (16 February), met 10 February;
        // then within 12 months of the previous review (10 February 2027). No reg 45 review and no reg 46 visit.
        #expect(summary(scot, base, "lac-scotland-home-reviews", at: "2026-03-01") == ["2026-02-16 met-on-time", "2027-02-10 upcoming"])
        #expect(summary(scot, base, "lac-scotland-reviews", at: "2026-03-01").isEmpty)
        #expect(summary(scot, base, "lac-scotland-visits", at: "2026-03-01").isEmpty)
        // Reg 44(5): 3-monthly agreed at the first review: the next by 10 May.
        let agreed = base + [("a1", "home-reviews-every-3mo", "2026-02-10")]
        #expect(summary(scot, agreed, "lac-scotland-home-reviews", at: "2026-03-01") == ["2026-02-16 met-on-time", "2026-05-10 upcoming"])
        // Agreed the day after the review: it brings the next one forward from 10 February 2027 to 10 May.
        let dayAfter = base + [("a1", "home-reviews-every-3mo", "2026-02-11")]
        #expect(summary(scot, dayAfter, "lac-scotland-home-reviews", at: "2026-03-01") == ["2026-02-16 met-on-time", "2026-05-10 upcoming"])
        // 6-monthly agreed on 1 May does not put back the review due on 10 May; it applies from the next review
        // (8 May): the one after by 8 November.
        let changed = agreed + [("a2", "home-reviews-every-6mo", "2026-05-01"), ("r2", "review", "2026-05-08")]
        #expect(summary(scot, changed, "lac-scotland-home-reviews", at: "2026-05-09") == [
            "2026-02-16 met-on-time", "2026-05-10 met-on-time", "2026-11-08 upcoming",
        ])
        // A new agreement made once the 3-monthly review was overdue does not undo the breach.
        let late = agreed + [("a3", "home-reviews-every-6mo", "2026-06-01")]
        #expect(summary(scot, late, "lac-scotland-home-reviews", at: "2026-06-02") == ["2026-02-16 met-on-time", "2026-05-10 overdue"])
        // Agreed on the day the child went home (a date only, so it sorts before the timed start), before any
        // review: the first review is 3 months after the placement (5 April), not 6 weeks.
        let fromStart = [("a0", "home-reviews-every-3mo", "2026-01-05"), base[0], base[1]]
        #expect(summary(scot, fromStart, "lac-scotland-home-reviews", at: "2026-03-01") == ["2026-04-05 upcoming"])
        // Placed with foster carers on Monday 1 June: reg 45 from that placement (first review within 6 weeks: 13
        // July), visits within a week (8 June); the home reviews end with the time at home.
        let moved = agreed + [("f", "placed-foster", "2026-06-01T12:00")]
        #expect(summary(scot, moved, "lac-scotland-reviews", at: "2026-06-02") == ["2026-07-13 upcoming"])
        #expect(summary(scot, moved, "lac-scotland-visits", at: "2026-06-02") == ["2026-06-08 upcoming"])
        #expect(summary(scot, moved, "lac-scotland-home-reviews", at: "2026-06-02") == ["2026-02-16 met-on-time", "2026-05-10 missed"])
    }

    // MARK: Ends of a period of care

    @Test func anyEndOfCareEndsEveryRuleThatLastsWhileLookedAfter() {
        // Calderdale's recurring PPM ends with the final order, or now with any end of care: an adoption order, a
        // special guardianship order, a return home or the 18th birthday (each counts as ceased-looked-after).
        let start = [("la", "became-looked-after", "2026-01-05"), ("ppm1", "ppm", "2026-01-12")]
        for end in ["adoption-order", "special-guardianship-order", "returned-home", "turned-18", "ceased-looked-after"] {
            let e = start + [("end", end, "2026-02-02")]
            // 12 January + 6 weeks = 23 February, after the end on 2 February: no longer needed.
            #expect(summary(child("adoption", calendar: "england-and-wales"), e, "ppm-recurring", at: "2026-06-01") == ["2026-02-23 not-needed"], "\(end)")
            let words = set.vocabulary.closingWords(end)
            #expect(!words.contains("was recorded"), "\(end): \(words)")
        }
        #expect(set.vocabulary.closingWords("adoption-order") == "the child was adopted")
        #expect(set.vocabulary.closingWords("placed-foster") == "the child moved to another placement")
        #expect(set.vocabulary.closingWords("returned-to-agency") == "the child was returned to the adoption agency")
    }

    @Test func aRuleThatNothingEndsIsWarnedAbout() throws {
        let endless = try shippedRuleSet { name, text in
            name.hasSuffix("calderdale-permanence.toml")
                ? text.replacingOccurrences(of: "until = [\"final-order\", \"ceased-looked-after\"]", with: "until = [\"final-order\"]") : text
        }
        #expect(endless.warnings.contains { $0.key == "rule.ppm-recurring.repeat.until" })
        #expect(!set.warnings.contains { $0.key.hasSuffix("repeat.until") })
    }

    // MARK: What counts for nothing

    @Test func eventsThatCountForNothingAreSaid() {
        let e = [
            ("la", "became-looked-after", "2026-01-05"), ("p", "placed-foster", "2026-01-05"),
            ("v1", "visit", "2026-01-09"),
            ("end", "placement-ended", "2026-02-02"),
            ("v2", "visit", "2026-02-05"),
            ("home", "returned-home", "2026-02-06"),
            ("r1", "review", "2026-03-02"),
        ]
        let evaluation = evaluator.evaluate(child(calendar: "england-and-wales"), events: events(e))
        let uncounted = UncountedEvents(ruleSet: set).find(in: evaluation)
        #expect(uncounted.map(\.event.id) == ["v2", "r1"])
        #expect(uncounted[0].reason.contains("the last ended on 2026-02-02, when the placement ended"), "\(uncounted[0].reason)")
        #expect(uncounted[1].reason.contains("period of care"), "\(uncounted[1].reason)")
        #expect(uncounted[1].reason.contains("the child went home"), "\(uncounted[1].reason)")
    }
}
