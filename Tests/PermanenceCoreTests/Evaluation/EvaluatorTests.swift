import Testing

@testable import PermanenceCore

@Suite struct EvaluatorTests {
    let set: RuleSet
    let evaluator: Evaluator

    init() throws {
        set = try shippedRuleSet()
        evaluator = Evaluator(ruleSet: set)
    }

    let adoption = ChildCase(
        reference: "T-1", plan: "adoption", calendar: "england-and-wales",
        packs: ["leicestershire-family-finding"], assignments: ["permanence-sw": "s.patel"])

    func deadline(_ e: [CaseEvent], _ rule: String) -> Deadline? {
        evaluator.evaluate(adoption, events: e).deadlines.first { $0.ruleID == rule }
    }

    /// Why a rule's first deadline cannot be computed, or nil if it can.
    func reason(_ e: [CaseEvent], _ rule: String) -> String? {
        let evaluation = evaluator.evaluate(adoption, events: e)
        return evaluation.deadlines.first { $0.ruleID == rule }.flatMap(evaluation.reason(of:))
    }

    @Test func aMissingAnchorIsReportedNotSkipped() {
        let d = deadline([], "post-placement-visit")
        guard let reason = reason([], "post-placement-visit") else { Issue.record("expected cannot compute"); return }
        #expect(reason == "no placed-for-adoption event recorded")
        // Waiting for the event, not a problem with the record.
        #expect(d?.status(at: instant("2026-11-01"), zone: set.zone) == .waiting)
    }

    @Test func contradictoryAnchorsCannotBeComputed() {
        // A rule that counts from one best interest decision, and a record with two (two placements for
        // adoption are not a contradiction: each starts its own period).
        let e = events([("a", "best-interest-decision", "2026-10-23T14:00"), ("b", "best-interest-decision", "2026-10-24T10:00")])
        guard let reason = reason(e, "allocate-permanence-sw") else {
            Issue.record("expected cannot compute")
            return
        }
        #expect(reason.contains("the record has two"))
        #expect(reason.contains("a at") && reason.contains("b at"))
        // The advice never asks anyone to change a true record.
        #expect(reason.contains("if both happened, keep the record as it is"))
        #expect(!reason.contains("withdraw or correct one"))
        // Withdrawing one resolves it.
        var fixed = e
        fixed[1] = CaseEvent(id: e[1].id, caseRef: e[1].caseRef, kind: e[1].kind, at: e[1].at, dateOnly: e[1].dateOnly, withdrawn: true)
        #expect(deadline(fixed, "allocate-permanence-sw")?.computed != nil)
    }

    @Test func aCorrectionReplacesTheEventItCorrects() throws {
        var e = events([("a", "placed-for-adoption", "2026-10-23T14:00"), ("b", "placed-for-adoption", "2026-10-22T14:00")])
        e[1] = CaseEvent(id: e[1].id, caseRef: e[1].caseRef, kind: e[1].kind, at: e[1].at, dateOnly: e[1].dateOnly, supersedes: "a")
        let evaluation = evaluator.evaluate(adoption, events: e)
        #expect(evaluation.events.map(\.id) == ["b"])
        #expect(evaluation.ignoredEvents.map(\.reason) == ["corrected by b"])
        let d = try #require(evaluation.deadlines.first { $0.ruleID == "post-placement-visit" }?.computed)
        #expect(set.zone.iso8601(d.dueInstant) == "2026-10-25T13:00:00+00:00")
    }

    @Test func aDeadlineBeforeAFutureEventMovesWhenItIsRelisted() throws {
        var e = events([("h1", "final-hearing", "2027-01-11T10:00")])
        #expect(try #require(deadline(e, "profile-on-linkmaker")?.computed).dueDate == date("2026-12-14"))
        e += events([("h2", "final-hearing", "2027-02-08T10:00")])
        #expect(try #require(deadline(e, "profile-on-linkmaker")?.computed).dueDate == date("2027-01-11"))
        // Met by a profile that went live before the hearing was even listed.
        e += events([("pl", "profile-live", "2026-12-01")])
        #expect(deadline(e, "profile-on-linkmaker")?.status(at: instant("2027-01-20"), zone: set.zone) == .metOnTime)
    }

    @Test func futureDatedMeetingEventsDoNotCountUntilTheyHappen() {
        let e = events([("p", "placed-for-adoption", "2026-10-23T14:00"), ("v", "visit", "2026-10-28T10:00")])
        let d = deadline(e, "post-placement-visit")
        #expect(d?.status(at: instant("2026-10-27"), zone: set.zone) == .overdue)
        #expect(d?.status(at: instant("2026-10-29"), zone: set.zone) == .metLate)
    }

    @Test func dateOnlyAnchorsStandAtMidnight() throws {
        let e = events([("p", "placed-for-adoption", "2026-10-23")])
        let evaluation = evaluator.evaluate(adoption, events: e)
        let d = try #require(evaluation.deadlines.first { $0.ruleID == "post-placement-visit" }?.computed)
        #expect(set.zone.iso8601(d.dueInstant) == "2026-10-25T23:00:00+00:00")
        let calc = try #require(set.calculator(calendar: "england-and-wales"))
        let rule = set.rules.first { $0.id == "post-placement-visit" }!
        #expect(DeadlineExplanation(d, rule: rule, calculator: calc, evaluation: evaluation).sentence.contains("no time recorded"))
    }

    @Test func explanationShowsTheArithmetic() throws {
        let e = events([("p", "placed-for-adoption", "2026-10-23T14:00")])
        let evaluation = evaluator.evaluate(adoption, events: e)
        let d = try #require(evaluation.deadlines.first { $0.ruleID == "post-placement-visit" }?.computed)
        let calc = try #require(set.calculator(calendar: "england-and-wales"))
        let rule = set.rules.first { $0.id == "post-placement-visit" }!
        #expect(DeadlineExplanation(d, rule: rule, calculator: calc, evaluation: evaluation).sentence
            == "placed-for-adoption 2026-10-23 14:00 BST + 72h = 2026-10-26 13:00 GMT, clocks went back")
    }

    @Test func eventsCountAsTheKindsTheVocabularySays() throws {
        let scot = ChildCase(reference: "S", plan: "reunification", calendar: "scotland", packs: ["scotland-statutory"])
        let e = events([("la", "became-looked-after", "2026-10-05T17:00"), ("p", "placed", "2026-10-05T18:00"), ("r", "six-week-review", "2026-11-10T10:00")])
        #expect(evaluator.evaluate(scot, events: e).ids("lac-scotland-reviews", \.met).first == "r")
    }

    @Test func onlyRulesForThePlanAndCalendarApply() {
        let ids = Set(evaluator.evaluate(
            ChildCase(reference: "S", plan: "reunification", calendar: "scotland"), events: []).deadlines.map(\.ruleID))
        #expect(ids.contains("lac-scotland-reviews"))
        #expect(!ids.contains("cppcr-reviews"))
        #expect(!ids.contains("post-placement-visit"))
    }

    @Test func nthMeetingEventAndEachAnchor() throws {
        let cal = ChildCase(reference: "C", plan: "adoption", calendar: "england-and-wales", packs: ["calderdale-permanence"])
        let e = events([
            ("g", "gateway-decision", "2026-09-07"), ("p1", "ppm", "2026-09-17"), ("p2", "ppm", "2026-10-29"),
            ("c1", "cpr-received", "2026-10-01T10:00"), ("c2", "cpr-received", "2026-10-05T10:00"),
            ("l1", "link-decision", "2026-10-02T09:00"),
        ])
        let evaluation = evaluator.evaluate(cal, events: e)
        let ds = evaluation.deadlines
        #expect(evaluation.ids("plan-week-8-second-ppm", \.met).first == "p2")
        let links = ds.filter { $0.ruleID == "link-response" }
        #expect(links.count == 2)
        #expect(evaluation.ids("link-response", \.met).first == "l1")
        #expect(links[1].computed?.met == nil)
        #expect(links[1].status(at: instant("2026-10-08"), zone: set.zone) == .overdue)
    }

    @Test func visitsSwitchToThreeMonthsAfterTheFirstYearOnlyWhereThePlacementIsIntendedUntil18() throws {
        let c = ChildCase(reference: "L", plan: "long-term-fostering", calendar: "england-and-wales", packs: ["england-statutory"])
        var list: [(String, String, String)] = [("p", "placed-foster", "2025-01-06")]
        var day = date("2025-01-10")
        for i in 0..<10 {
            list.append(("v\(i)", "visit", day.description))
            day = day.adding(days: 42)
        }
        func offsets(_ extra: [(String, String, String)]) -> [String] {
            evaluator.evaluate(c, events: events(list + extra)).deadlines.filter { $0.ruleID == "cppcr-visits" }.map { $0.computed!.offset.description }
        }
        // Reg 28(2)(c)(ii): six-weekly for ever, unless the placement is intended to last until 18.
        #expect(offsets([]).prefix(3) == ["1w", "6w", "6w"])
        #expect(offsets([]).last == "6w")
        // Reg 28(2)(c)(i): then three-monthly once the first year is over.
        let long = offsets([("i", "placement-intended-until-18", "2025-02-01")])
        #expect(long.prefix(3) == ["1w", "6w", "6w"])
        #expect(long.last == "3mo")
        #expect(long.filter { $0 == "3mo" }.count == 1)
    }
}
