import Testing
import TestSupport

@testable import PermanenceCore

/// A period of care that began before the data (`looked-after-before`): nothing is counted from its start,
/// cycles go on from the facts the data gives, and what needs the start cannot be worked out, never overdue.
@Suite struct UnknownStartTests {
    let set: RuleSet
    let evaluator: Evaluator

    init() throws {
        set = try shippedRuleSet()
        evaluator = Evaluator(ruleSet: set)
    }

    let england = ChildCase(reference: "C1", plan: "long-term-fostering", calendar: "england-and-wales", assignments: shippedTeam)

    func summary(_ e: [(String, String, String)], _ rule: String, at now: String) -> [String] {
        evaluator.evaluate(england, events: events(e)).deadlines.filter { $0.ruleID == rule }.map { d in
            "\(d.computed.map { $0.dueDate.description } ?? "-") \(d.status(at: instant(now), zone: set.zone).rawValue)"
        }
    }

    let start = [("b", "looked-after-before", "2025-04-01"), ("p", "placed-foster", "2025-04-01")]

    @Test func nothingIsCountedFromAStartNotInTheData() {
        // No review in the data: the first review's date needs the start: cannot be worked out, not overdue.
        #expect(summary(start, "cppcr-reviews", at: "2025-12-01") == ["- cannot-compute"])
        let evaluation = evaluator.evaluate(england, events: events(start))
        let d = evaluation.deadlines.first { $0.ruleID == "cppcr-reviews" }
        if case .cannotCompute(let r) = d?.state {
            #expect(evaluation.reason(r).hasPrefix("the period of care began before the data (it was already open on 2025-04-01)"), "\(evaluation.reason(r))")
        } else {
            Issue.record("expected cannot compute, got \(String(describing: d))")
        }
        // The care plan counts from the first placement of the period, which may be before the data.
        #expect(summary(start, "cppcr-care-plan", at: "2025-12-01") == ["- cannot-compute"])
        // The placement that starts in the data is known: its visit within a week (8 April).
        #expect(summary(start, "cppcr-visits", at: "2025-04-02") == ["2025-04-08 upcoming"])
    }

    @Test func cyclesGoOnFromTheFactsTheDataGives() {
        // One review: it may have been the first, so the next is within 3 months (the shorter interval): 10 Sep.
        let one = start + [("r1", "review", "2025-06-10")]
        #expect(summary(one, "cppcr-reviews", at: "2025-07-01") == ["2025-09-10 upcoming"])
        // Two: the next 6 months after the last (5 September + 6 months: 5 March 2026).
        let two = one + [("r2", "review", "2025-09-05")]
        #expect(summary(two, "cppcr-reviews", at: "2025-10-01") == ["2026-03-05 upcoming"])
        // A care plan recorded in the data: met, nothing to show.
        #expect(summary(start + [("cp", "care-plan-prepared", "2025-05-01")], "cppcr-care-plan", at: "2025-12-01").isEmpty)
    }

    @Test func theRealStartRecordedLaterIsUsed() {
        // The day the child came into care recorded afterwards (by hand, or from an older return): the period
        // starts then (2 January 2025: first review within 20 working days, 30 January), and the marker inside
        // the period starts nothing.
        let known = [("la", "became-looked-after", "2025-01-02")] + start
        #expect(summary(known, "cppcr-reviews", at: "2025-01-10") == ["2025-01-30 upcoming"])
        // A second period after the child went home is an ordinary one.
        let again = start + [("home", "returned-home", "2025-05-01"), ("la2", "became-looked-after", "2025-09-01")]
        #expect(summary(again, "cppcr-reviews", at: "2025-09-02") == ["- cannot-compute", "2025-09-29 upcoming"])
    }
}
