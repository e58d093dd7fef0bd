import Testing
import TestSupport

@testable import PermanenceCore

/// The adoption scorecard's measures for hand-worked histories (days between the dates, counted by hand in each
/// comment).
@Suite struct AdoptionScorecardTests {
    let set: RuleSet

    init() throws {
        set = try shippedRuleSet()
    }

    func figures(_ e: [(String, String, String)]) -> AdoptionScorecard.Figures? {
        AdoptionScorecard.figures(of: events(e), ruleSet: set)
    }

    /// Looked after from Monday 8 January 2024, placement order 1 July, matched 2 September, placed 7 October.
    let ordinary = [
        ("la", "became-looked-after", "2024-01-08"), ("p", "placed-foster", "2024-01-08"),
        ("po", "placement-order", "2024-07-01"), ("m", "match-agreed", "2024-09-02"),
        ("pa", "placed-for-adoption", "2024-10-07T11:00"), ("ao", "adoption-order", "2025-03-03"),
    ]

    @Test func anOrdinaryAdoption() throws {
        let f = try #require(figures(ordinary))
        // 8 January to 7 October 2024: 23 + 29 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 7 = 273 days.
        #expect(f.a1Days == 273)
        #expect(f.a10Days == 273 && !f.fosterCarerAdoption)
        // 1 July to 2 September: 30 + 31 + 2 = 63 days.
        #expect(f.a2Days == 63)
        // 14 months after 8 January 2024 is 8 March 2025: moved in before it.
        #expect(f.a3Under(AdoptionScorecard.Thresholds()) == true)
        #expect(f.adopted == LocalDate(year: 2025, month: 3, day: 3))
    }

    @Test func aFosterCarerAdoptionCountsToTheFosterPlacementForA10() throws {
        // With the foster carers from 5 February 2024 (28 days after entering care), placed for adoption with them.
        let e = [
            ("la", "became-looked-after", "2024-01-08"), ("p1", "placed-residential", "2024-01-08"), ("p2", "placed-foster", "2024-02-05"),
            ("po", "placement-order", "2024-07-01"), ("m", "match-agreed", "2024-09-02"),
            ("pa", "placed-for-adoption-with-foster-carers", "2024-10-07"), ("ao", "adoption-order", "2025-03-03"),
        ]
        let f = try #require(figures(e))
        #expect(f.fosterCarerAdoption && f.a10MovedIn == LocalDate(year: 2024, month: 2, day: 5))
        #expect(f.a1Days == 273 && f.a10Days == 28)
        // The same recorded by hand: a plain placement for adoption and adopters-are-foster-carers.
        var byHand = e
        byHand[5] = ("pa", "placed-for-adoption", "2024-10-07")
        byHand.append(("fc", "adopters-are-foster-carers", "2024-09-02"))
        #expect(figures(byHand)?.a10Days == 28)
    }

    @Test func aChildAdoptedAfterADisruption() throws {
        // The first placement for adoption (7 October) ended on 1 December; matched again 3 February 2025 and
        // placed with the family who adopted on 3 March 2025: A1 counts to that placement, 420 days (273 + 24
        // + 31 + 31 + 28 + 3); A2 to the last match before it, 217 days from 1 July 2024.
        let e = ordinary.dropLast(1) + [
            ("end", "placement-ended", "2024-12-01"), ("p3", "placed-foster", "2024-12-01"),
            ("m2", "match-agreed", "2025-02-03"), ("pa2", "placed-for-adoption", "2025-03-03"), ("ao", "adoption-order", "2025-09-01"),
        ]
        let f = try #require(figures(Array(e)))
        #expect(f.movedIn == LocalDate(year: 2025, month: 3, day: 3))
        #expect(f.a1Days == 420 && f.a2Days == 217)
        // 3 March 2025 is before 8 March 2025 (14 months): under A3's threshold.
        #expect(f.a3Under(AdoptionScorecard.Thresholds()) == true)
        // Between the two placements the child was waiting again: no move-in.
        let waiting = figures(Array(ordinary.dropLast(1)) + [("end", "placement-ended", "2024-12-01")])
        #expect(waiting?.movedIn == nil && waiting?.a1Days == nil)
    }

    @Test func aMatchBeforeThePlacementOrderCountsAsZero() throws {
        var e = ordinary
        e[3] = ("m", "match-agreed", "2024-06-03")
        #expect(figures(e)?.a2Days == 0)
    }

    @Test func theAuthorityInForceAtTheMatchCounts() throws {
        // A placement order revoked, then a new one on 3 March 2025, matched on 5 May 2025: A2 counts from the
        // second order, 63 days (28 + 30 + 5).
        let e = [
            ("la", "became-looked-after", "2024-01-08"), ("po1", "placement-order", "2024-07-01"), ("rv", "placement-order-revoked", "2024-10-01"),
            ("po2", "placement-order", "2025-03-03"), ("m", "match-agreed", "2025-05-05"),
        ]
        #expect(figures(e)?.authorityToPlace == LocalDate(year: 2025, month: 3, day: 3))
        #expect(figures(e)?.a2Days == 63)
    }

    @Test func aStartNotInTheDataIsNotInvented() throws {
        let e = [("b", "looked-after-before", "2024-04-01"), ("po", "placement-order", "2024-07-01"), ("pa", "placed-for-adoption", "2024-10-07")]
        let f = try #require(figures(e))
        #expect(f.startNotKnown && f.enteredCare == nil && f.a1Days == nil && f.a3Under(AdoptionScorecard.Thresholds()) == nil)
        #expect(f.authorityToPlace == LocalDate(year: 2024, month: 7, day: 1))
    }

    @Test func onlyTheAdoptionPathHasAScorecard() {
        let c = ChildCase(reference: "C1", plan: "", calendar: "england-and-wales")
        let evaluator = Evaluator(ruleSet: set)
        #expect(AdoptionScorecard.applies(to: evaluator.evaluate(c, events: events(ordinary)), ruleSet: set))
        #expect(!AdoptionScorecard.applies(to: evaluator.evaluate(c, events: events([("la", "became-looked-after", "2024-01-08")])), ruleSet: set))
        var fostering = c
        fostering.plan = "long-term-fostering"
        #expect(!AdoptionScorecard.applies(to: evaluator.evaluate(fostering, events: events(ordinary)), ruleSet: set))
    }

    @Test func theThresholdsAreConfigurationAndThePackAgrees() throws {
        let t = set.configuration.scorecard
        #expect(t.a1 == Offset(426, .days) && t.a2 == Offset(121, .days) && t.a3 == Offset(14, .months))
        #expect(!set.warnings.contains { $0.key.hasPrefix("rule.scorecard") })
        let differs = try shippedRuleSet { name, text in name.hasSuffix("permanenced.toml") ? text.replacingOccurrences(of: "a1 = \"426d\"", with: "a1 = \"365d\"") : text }
        #expect(differs.configuration.scorecard.a1 == Offset(365, .days))
        #expect(differs.warnings.contains { $0.key == "rule.scorecard-a1.due" })
        // The deadline: a child on the adoption path passes A1 426 days after entering care (9 March 2025).
        let c = ChildCase(reference: "C1", plan: "adoption", calendar: "england-and-wales", assignments: shippedTeam)
        let waiting = Array(ordinary.prefix(4))
        let d = Evaluator(ruleSet: set).evaluate(c, events: events(waiting)).deadlines.filter { $0.ruleID == "scorecard-a1" }
        #expect(d.compactMap(\.computed).map(\.dueDate) == [LocalDate(year: 2025, month: 3, day: 9)!])
        // A2: matched 63 days after the order, within 121 (30 October 2024).
        let a2 = Evaluator(ruleSet: set).evaluate(c, events: events(waiting)).deadlines.filter { $0.ruleID == "scorecard-a2" }
        #expect(a2.compactMap(\.computed).map { "\($0.dueDate) \($0.met != nil)" } == ["2024-10-30 true"])
    }
}
