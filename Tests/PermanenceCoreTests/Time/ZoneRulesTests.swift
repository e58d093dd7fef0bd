import Testing

@testable import PermanenceCore

@Suite struct ZoneRulesTests {
    let london = ZoneRules.europeLondon

    @Test func offsetsEitherSideOfTheChanges() {
        // 2026: clocks forward 29 March 01:00 UTC, back 25 October 01:00 UTC.
        #expect(london.offset(at: Instant(seconds: 1_774_745_999)) == 0)
        #expect(london.offset(at: Instant(seconds: 1_774_746_000)) == 3600)
        #expect(london.abbreviation(at: instant("2026-07-01T12:00")) == "BST")
        #expect(london.offset(at: instant("2026-10-25T00:59:59Z")) == 3600)
        #expect(london.offset(at: instant("2026-10-25T01:00:00Z")) == 0)
    }

    @Test func springGapMovesLater() {
        let wall = LocalDateTime(year: 2026, month: 3, day: 29, hour: 1, minute: 30)!
        let r = london.resolve(wall)
        #expect(r.resolution == .gap(shiftedSeconds: 3600))
        #expect(london.iso8601(r.instant) == "2026-03-29T02:30:00+01:00")
    }

    @Test func autumnOverlapTakesTheFirst() {
        let wall = LocalDateTime(year: 2026, month: 10, day: 25, hour: 1, minute: 30)!
        let r = london.resolve(wall)
        #expect(r.resolution == .overlap)
        #expect(london.iso8601(r.instant) == "2026-10-25T01:30:00+01:00")
    }

    @Test func offsetDateTimesConvertIntoTheZone() throws {
        let p = try TimePoint.parse("2026-07-01T12:00:00Z", zone: london)
        guard case .dateTime(let local, _) = p else { Issue.record("expected a date-time"); return }
        #expect(local.description == "2026-07-01T13:00:00")
        #expect(throws: TimePoint.ParseError.self) { try TimePoint.parse("2026-07-01T25:00", zone: london) }
        #expect(throws: TimePoint.ParseError.self) { try TimePoint.parse("01/07/2026", zone: london) }
        #expect(throws: TimePoint.ParseError.self) { try TimePoint.parse("2026-07-01T12:00+1", zone: london) }
    }

    @Test func builtInRulesMatchTheSystemZoneDatabase() throws {
        let system = try systemLondon()
        // Every hour boundary around each change from 1996 to 2060 gives the same offset.
        for year in 1996...2060 {
            for month in [3, 10] {
                let sunday = LocalDate.nthWeekday(7, -1, month: month, year: year)
                let base = sunday.dayNumber * 86_400
                for h in stride(from: -3, through: 3, by: 1) {
                    let t = Instant(seconds: base + h * 3600)
                    #expect(system.offset(at: t) == london.offset(at: t), "\(year)-\(month) \(h)h")
                }
            }
        }
        #expect(system.abbreviation(at: instant("2040-07-01T12:00")) == "BST")
    }

    @Test func posixRulesForOtherZones() throws {
        let sydney = try ZoneRules(identifier: "Australia/Sydney", posixTZ: "AEST-10AEDT,M10.1.0,M4.1.0/3", fromYear: 2020)
        #expect(sydney.offset(at: instant("2026-01-15T00:00Z")) == 11 * 3600)
        #expect(sydney.offset(at: instant("2026-07-15T00:00Z")) == 10 * 3600)
        #expect(throws: ZoneRules.FormatError.self) { try ZoneRules(identifier: "x", posixTZ: "GMT0BST,M13.5.0", fromYear: 2020) }
        #expect(throws: ZoneRules.FormatError.self) { try ZoneRules(identifier: "x", tzif: [1, 2, 3]) }
    }
}
