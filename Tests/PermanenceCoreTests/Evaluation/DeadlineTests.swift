import Testing

@testable import PermanenceCore

@Suite struct DeadlineTests {
    @Test func aDeadlineIsPlainData() {
        // Nothing in a deadline takes a reference count: the engine copies millions of them.
        #expect(_isPOD(Deadline.self))
        #expect(_isPOD(Deadline.Computed.self))
        // Small enough to be copied by a few moves, not a call to memmove.
        #expect(MemoryLayout<Deadline.Computed>.size <= 96)
        #expect(MemoryLayout<Deadline>.stride <= 128)
    }

    @Test func theCompactFieldsGiveBackWhatWasPutIn() {
        let ref = Deadline.EventRef(position: 3, at: Instant(seconds: 1_000), dateOnly: true)
        for kind in [TimescaleKind.by, .notBefore, .window] {
            for extensions in [0, 1, 7, 8191] {
                let c = Deadline.Computed(
                    anchor: ref, offset: Offset(-20, .workingDays), dueInstant: Instant(seconds: 5_000), dueDate: LocalDate(dayNumber: 9),
                    isExact: extensions % 2 == 1, met: nil, moot: ref, kind: kind,
                    earliest: extensions == 0 ? nil : Instant(seconds: -7), extensions: extensions, lastExtension: ref)
                #expect(c.kind == kind)
                #expect(c.extensions == extensions)
                #expect(c.isExact == (extensions % 2 == 1))
                #expect(c.offset == Offset(-20, .workingDays))
                #expect(c.earliest == (extensions == 0 ? nil : Instant(seconds: -7)))
                #expect(c.met == nil && c.moot == ref && c.lastExtension == ref && c.anchor == ref)
            }
        }
        // More extensions than the field holds stay at its ceiling rather than wrapping to a small number.
        let many = Deadline.Computed(
            anchor: ref, offset: Offset(1, .days), dueInstant: Instant(seconds: 0), dueDate: LocalDate(dayNumber: 0),
            isExact: false, met: nil, moot: nil, extensions: 100_000)
        #expect(many.extensions == 8191)
    }

    @Test func reasonsAreReadFromTheEvaluation() throws {
        let set = try RuleSetFixture.shipped(packs: [Self.pack])
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
