import Testing

@testable import PermanenceCore

@Suite struct RuleNameTests {
    @Test func anIdComesBackAsItWasAndTheSameIdIsTheSameName() {
        let a = RuleName("cppcr-reg33-first-review-\(#line)")
        let b = RuleName("cppcr-reg33-first-review-\(#line - 1)")
        #expect(a.id == "cppcr-reg33-first-review-\(#line - 2)")
        #expect(a == b)
        #expect(RuleName("another-rule") != a)
        #expect(RuleName("").id == "")
    }

    @Test func aDeadlineIsPlainData() {
        // Nothing in a deadline takes a reference count: the engine copies millions of them.
        #expect(_isPOD(Deadline.self))
        #expect(_isPOD(Deadline.Computed.self))
    }

    @Test func reasonsAreReadFromTheEvaluation() throws {
        let set = try ruleSet(packs: [Self.pack])
        let c = ChildCase(reference: "R-1", plan: "adoption", calendar: "england-and-wales", packs: ["t"], assignments: [:])
        let e = Evaluator(ruleSet: set).evaluate(c, events: [])
        let d = try #require(e.deadlines.first { $0.ruleID == "t-visit" })
        #expect(d.awaitsAnchor)
        #expect(e.reason(of: d) == "no placed-for-adoption event recorded")
        let unknown = Evaluator(ruleSet: set).evaluate(
            ChildCase(reference: "R-2", plan: "adoption", calendar: "atlantis", packs: ["t"], assignments: [:]), events: [])
        #expect(unknown.deadlines.allSatisfy { unknown.reason(of: $0) == "unknown calendar 'atlantis'" })
        #expect(!unknown.deadlines.isEmpty)
    }

    static let pack = """
        [pack]
        id = "t"
        title = "test"
        source = "test"
        plans = ["adoption"]

        [[rule]]
        id = "t-visit"
        title = "visit"
        anchor = "placed-for-adoption"
        due = "7d"
        met-by = "visit"
        owner = "social-worker"
        source = "test"
        """
}
