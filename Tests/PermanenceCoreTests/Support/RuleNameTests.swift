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
}
