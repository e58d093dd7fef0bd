import Testing

@testable import PermanenceDaemonCore

/// When an inbox file is complete enough to import: plain values, no files.
@Suite struct InboxTrackerTests {
    func entry(_ name: String, _ size: Int, _ modified: Int = 1) -> InboxTracker.File { InboxTracker.File(name: name, size: size, modified: modified) }

    @Test func aFileRenamedInIsReadyAtOnce() {
        var t = InboxTracker(settle: 2)
        t.movedIn(entry("a.csv", 100), now: 10)
        #expect(t.ready([entry("a.csv", 100)], now: 10) == ["a.csv"])
    }

    @Test func aFileWrittenInPlaceWaitsForItsCloseAndThenForQuiet() {
        var t = InboxTracker(settle: 2)
        t.written("b.csv", now: 10)
        // Still open for writing: not ready while it pauses (for less than a minute).
        #expect(t.ready([entry("b.csv", 500)], now: 10) == [])
        #expect(t.ready([entry("b.csv", 500)], now: 30) == [])
        t.closed(entry("b.csv", 1000, 2), now: 40)
        #expect(t.ready([entry("b.csv", 1000, 2)], now: 41) == [])
        #expect(t.ready([entry("b.csv", 1000, 2)], now: 42) == ["b.csv"])
    }

    @Test func aFileWrittenAndLeftOpenUnchangedForAMinuteIsTakenAsComplete() {
        // A hard link, or events lost: no close will come.
        var t = InboxTracker(settle: 2, abandoned: 60)
        t.written("h.csv", now: 0)
        #expect(t.ready([entry("h.csv", 500)], now: 1) == [])  // first seen at this size: 60 s from now
        #expect(t.nextCheck == 61)
        #expect(t.ready([entry("h.csv", 500)], now: 60) == [])
        #expect(t.ready([entry("h.csv", 500)], now: 61) == ["h.csv"])
    }

    @Test func aFileThatChangesAfterItsCloseWaitsAgain() {
        var t = InboxTracker(settle: 2)
        t.closed(entry("c.csv", 10), now: 0)
        // Appended to and closed again within the moment: the clock starts again.
        #expect(t.ready([entry("c.csv", 20, 2)], now: 1.5) == [])
        #expect(t.ready([entry("c.csv", 20, 2)], now: 2.5) == [])
        #expect(t.ready([entry("c.csv", 20, 2)], now: 3.6) == ["c.csv"])
    }

    @Test func aFileFoundWithoutAnEventMustStayUnchanged() {
        var t = InboxTracker(settle: 2)
        #expect(t.ready([entry("d.csv", 10)], now: 0) == [])
        #expect(t.nextCheck == 2)
        #expect(t.ready([entry("d.csv", 10)], now: 2) == ["d.csv"])
    }

    @Test func temporaryFailuresBackOffAndVanishedFilesAreForgotten() {
        var t = InboxTracker(settle: 2)
        t.movedIn(entry("e.csv", 10), now: 0)
        #expect(t.failed("e.csv", now: 0) == 5)
        #expect(t.ready([entry("e.csv", 10)], now: 4) == [])
        #expect(t.ready([entry("e.csv", 10)], now: 5) == ["e.csv"])
        #expect(t.failed("e.csv", now: 5) == 10)
        #expect(t.failed("e.csv", now: 15) == 20)
        for _ in 0..<10 { _ = t.failed("e.csv", now: 15) }
        #expect(t.failed("e.csv", now: 15) == 300)
        #expect(t.ready([], now: 1000) == [])
        #expect(t.nextCheck == nil)
    }
}
