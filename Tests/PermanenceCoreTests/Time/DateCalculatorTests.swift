import PropertyBased
import Testing

@testable import PermanenceCore

@Suite struct DateCalculatorTests {
    let ew = DateCalculator(zone: .europeLondon, calendar: WorkingCalendar(nation: .englandAndWales))
    let scot = DateCalculator(zone: .europeLondon, calendar: WorkingCalendar(nation: .scotland))

    func add(_ calc: DateCalculator, _ start: String, _ offset: String) throws -> String {
        let p = try calc.add(try Offset.parse(offset), to: try TimePoint.parse(start, zone: calc.zone))
        switch p {
        case .date(let d): return d.description
        case .dateTime(_, let i): return calc.zone.iso8601(i)
        }
    }

    @Test func hoursAreElapsedAcrossBothClockChanges() throws {
        // October: 72 elapsed hours end an hour earlier on the wall clock.
        #expect(try add(ew, "2026-10-23T14:00", "72h") == "2026-10-26T13:00:00+00:00")
        // March: 72 elapsed hours end an hour later on the wall clock.
        #expect(try add(ew, "2026-03-27T14:00", "72h") == "2026-03-30T15:00:00+01:00")
        #expect(try add(ew, "2026-03-30T15:00", "-72h") == "2026-03-27T14:00:00+00:00")
        let steps = try ew.calculate(.init(72, .hours), from: try TimePoint.parse("2026-10-23T14:00", zone: ew.zone)).steps
        #expect(steps.contains { if case .clockChange(let t, _) = $0 { return t.toOffset == 0 }; return false })
    }

    @Test func daysAndWeeksKeepTheWallClock() throws {
        #expect(try add(ew, "2026-10-23T14:00", "3d") == "2026-10-26T14:00:00+00:00")
        #expect(try add(ew, "2026-03-22T01:30", "1w") == "2026-03-29T02:30:00+01:00")  // in the gap: moved later
        #expect(try add(ew, "2026-10-18T01:30", "1w") == "2026-10-25T01:30:00+01:00")  // twice: first taken
        #expect(try add(ew, "2026-02-01", "40w") == "2026-11-08")
    }

    @Test func monthsClampAndLeapYears() throws {
        #expect(try add(ew, "2027-01-31", "1mo") == "2027-02-28")
        #expect(try add(ew, "2028-01-31", "1mo") == "2028-02-29")
        #expect(try add(ew, "2028-02-29", "12mo") == "2029-02-28")
        #expect(try add(ew, "2026-05-31", "3mo") == "2026-08-31")
        #expect(try add(ew, "2026-11-30", "3mo") == "2027-02-28")
        #expect(try add(ew, "2026-08-31T10:00", "-6mo") == "2026-02-28T10:00:00+00:00")
    }

    @Test func workingDaysSkipWeekendsAndEachNationsHolidays() throws {
        // Anchor on a Friday before the Christmas holidays.
        #expect(try add(ew, "2026-12-18", "5wd") == "2026-12-29")  // skips 25th, 28th (Boxing Day substitute)
        #expect(try add(scot, "2026-12-30", "3wd") == "2027-01-06")  // skips 1 Jan and the 2 January substitute (4th)
        #expect(try add(ew, "2026-12-30", "3wd") == "2027-01-05")
        // St Andrew's Day 2026 is a Monday in Scotland only.
        #expect(try add(scot, "2026-11-27", "1wd") == "2026-12-01")
        #expect(try add(ew, "2026-11-27", "1wd") == "2026-11-30")
        // Easter Monday is not a holiday in Scotland.
        #expect(try add(scot, "2027-03-25", "1wd") == "2027-03-29")
        #expect(try add(ew, "2027-03-25", "1wd") == "2027-03-30")
    }

    @Test func anchorsOnWeekendsAndHolidays() throws {
        // Day 0 is the anchor day whatever it is; +1 is the next working day.
        #expect(try add(ew, "2026-11-21", "0wd") == "2026-11-21")
        #expect(try add(ew, "2026-11-21", "1wd") == "2026-11-23")
        #expect(try add(ew, "2026-12-25", "1wd") == "2026-12-29")
        #expect(try add(ew, "2026-11-22", "-1wd") == "2026-11-20")
        #expect(try add(ew, "2026-12-28", "-1wd") == "2026-12-24")  // 24 Dec is a working day without configured closures
    }

    @Test func negativeOffsetsCountBackwards() throws {
        // "No later than 3 working days before introductions start" (a Monday).
        #expect(try add(ew, "2026-10-12", "-3wd") == "2026-10-07")
        #expect(try add(ew, "2027-01-04", "-3wd") == "2026-12-29")
        #expect(try add(ew, "2027-01-11T10:00", "-4w") == "2026-12-14T10:00:00+00:00")
    }

    @Test func hoursNeedADateTime() {
        #expect(throws: DateCalculator.Failure.self) { try ew.add(.init(72, .hours), to: .date(date("2026-10-23"))) }
    }

    @Test func outOfRangeIsAnErrorNotACrash() {
        #expect(throws: DateCalculator.Failure.self) { try ew.addToDate(.init(10, .workingDays), date("2200-12-30")) }
        #expect(throws: DateCalculator.Failure.self) { try ew.addToDate(.init(1, .workingDays), date("1900-01-01")) }
    }

    @Test func workingDaysThereAndBackReturnToAWorkingDayNoLaterThanTheStart() async {
        let cal = WorkingCalendar(nation: .northernIreland)
        let first = date("2020-01-01").dayNumber
        await propertyCheck(input: Gen.int(in: 0...4000), Gen.int(in: 1...400)) { dayOffset, n in
            let start = LocalDate(dayNumber: first + dayOffset)
            let there = try cal.addingWorkingDays(n, to: start)
            let back = try cal.addingWorkingDays(-n, to: there)
            #expect(try cal.isWorkingDay(back))
            #expect(back <= start)
            #expect(try cal.workingDays(from: start.adding(days: 1), to: there.adding(days: 1)) == n)
            if try cal.isWorkingDay(start) { #expect(back == start) }
        }
    }

    @Test func offsetParsing() throws {
        #expect(try Offset.parse("72h") == Offset(72, .hours))
        #expect(try Offset.parse("+20wd") == Offset(20, .workingDays))
        #expect(try Offset.parse("-3wd") == Offset(-3, .workingDays))
        #expect(try Offset.parse("3mo") == Offset(3, .months))
        for bad in ["", "72", "h", "3m", "3 d", "3.5d", "--3d", "3dd", "1234567d"] {
            #expect(throws: Offset.ParseError.self, "\(bad)") { try Offset.parse(bad) }
        }
    }
}
