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

    /// Wall times up to two days and a little either side of each clock change from 2025 to 2027, and at the
    /// very seconds where the search for a change near them starts and stops, resolved as the offsets in force
    /// say they must be: the one offset that gives the wall time back, the earlier of two, or (in the spring
    /// gap) the offset from before the change.
    @Test func wallTimesNearAChangeResolveAsTheOffsetsSay() {
        let changes = london.transitions.filter { $0 >= instant("2025-01-01T00:00Z").seconds && $0 < instant("2028-01-01T00:00Z").seconds }
        #expect(changes.count == 6)
        for t in changes {
            var walls = Array(stride(from: t - 2 * 86_400 - 7_200, through: t + 2 * 86_400 + 7_200, by: 450))
            for edge in [t - 2 * 86_400, t + 2 * 86_400] {
                for d in [-3_601, -3_600, -3_599, -1, 0, 1, 3_599, 3_600, 3_601] { walls.append(edge + d) }
            }
            for wall in walls {
                let local = LocalDateTime(wallSeconds: wall)
                let valid = [0, 3_600].filter { london.offset(at: Instant(seconds: wall - $0)) == $0 }
                let r = london.resolve(local)
                switch valid.count {
                case 1:
                    #expect(r.resolution == .unique && r.instant == Instant(seconds: wall - valid[0]), "\(local)")
                case 2:
                    #expect(r.resolution == .overlap && r.instant == Instant(seconds: wall - 3_600), "\(local)")
                default:
                    #expect(r.resolution == .gap(shiftedSeconds: 3_600) && r.instant == Instant(seconds: wall), "\(local)")
                }
            }
        }
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
