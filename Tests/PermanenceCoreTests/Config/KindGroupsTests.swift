import Testing

@testable import PermanenceCore

/// Lists of several kinds get one slot each, and a case's index files every event under the groups its
/// kind belongs to: the evaluator reads the same events as a merge of the kinds would give.
@Suite struct KindGroupsTests {
    @Test func aListOfSeveralKindsIsOneSlotAndTheSameListTheSameSlot() {
        var g = KindGroups(kinds: 5)
        #expect(g.slot([]) == [])
        #expect(g.slot([3]) == [3])
        #expect(g.slot([3, 3]) == [3])
        #expect(g.slot([4, 1]) == [5])
        #expect(g.slot([1, 4, 1]) == [5])
        #expect(g.slot([2, 1]) == [6])
        #expect(g.count == 7)
    }

    @Test func anIndexFindsAGroupsEventsInTimeOrderEachOnce() {
        var g = KindGroups(kinds: 3)
        // Kind 2 counts as kind 0 too (a `counts-as`): an event of kind 2 belongs to the group of 0 and 1 once.
        let group = g.slot([0, 1])[0]
        let expansions = g.expand([[0], [1], [2, 0]])
        #expect(Array(expansions.of(2)) == [2, 0, Int32(group)])
        let names = ["a", "b", "c"]
        let events = ["b", "x", "c", "a", "c"].enumerated().map { i, k in
            CaseEvent(id: "e\(i)", caseRef: "C", kind: k, at: Instant(seconds: i * 60))
        }
        let index = CaseIndex(events: events, kinds: KindTable(names), expansions: expansions)
        #expect(Array(index.positions([group])) == [0, 2, 3, 4])
        #expect(Array(index.positions([0, 1])) == [0, 2, 3, 4])
        #expect(Array(index.positions([0])) == [2, 3, 4])
        #expect(index.counts(4, asAnyOf: [0]))
        #expect(!index.counts(1, asAnyOf: [0, 1, 2]))
    }
}
