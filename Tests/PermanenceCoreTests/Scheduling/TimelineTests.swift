import PropertyBased
import Testing

@testable import PermanenceCore

@Suite struct TimelineTests {
    @Test func popsDueCasesEarliestFirstAndForgetsThem() {
        var t = Timeline()
        t.schedule("B", at: Instant(seconds: 20))
        t.schedule("A", at: Instant(seconds: 10))
        t.schedule("C", at: Instant(seconds: 30))
        #expect(t.next() == Instant(seconds: 10))
        #expect(t.popDue(at: Instant(seconds: 20)) == ["A", "B"])
        #expect(t.scheduled("A") == nil)
        #expect(t.next() == Instant(seconds: 30))
        #expect(t.count == 1)
    }

    @Test func reschedulingReplacesTheOldInstant() {
        var t = Timeline()
        t.schedule("A", at: Instant(seconds: 10))
        t.schedule("A", at: Instant(seconds: 50))
        t.schedule("B", at: Instant(seconds: 40))
        #expect(t.next() == Instant(seconds: 40))
        #expect(t.popDue(at: Instant(seconds: 45)) == ["B"])
        t.schedule("A", at: nil)
        #expect(t.next() == nil)
        #expect(t.popDue(at: Instant(seconds: 1000)).isEmpty)
    }

    /// Against a plain dictionary model: whatever the order of schedules, `popDue` returns exactly the
    /// cases whose latest instant has come, and `next` the earliest of the rest.
    @Test func agreesWithADictionaryModel() async {
        await propertyCheck(input: Gen.int(in: 0...5).array(of: 1...300), Gen.int(in: 0...200).array(of: 1...300)) { refs, times in
            var t = Timeline()
            var model: [String: Instant] = [:]
            for (r, s) in zip(refs, times) {
                let at: Instant? = s % 17 == 0 ? nil : Instant(seconds: s)
                t.schedule("c\(r)", at: at)
                model["c\(r)"] = at
            }
            #expect(t.next() == model.values.min())
            let cut = Instant(seconds: 100)
            // Counted without popping, stale entries left out; capped at the limit.
            let count = model.values.filter { $0 <= cut }.count
            #expect(t.countDue(at: cut) == count)
            #expect(t.countDue(at: cut, limit: 2) == min(count, 3))
            let due = t.popDue(at: cut)
            let expected = model.filter { $0.value <= cut }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)
            #expect(due == expected)
            #expect(t.next() == model.values.filter { $0 > cut }.min())
        }
    }
}
