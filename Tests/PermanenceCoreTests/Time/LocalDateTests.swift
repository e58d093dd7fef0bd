import PropertyBased
import Testing

@testable import PermanenceCore

@Suite struct LocalDateTests {
    @Test func epochAndKnownDates() {
        #expect(LocalDate(year: 1970, month: 1, day: 1)!.dayNumber == 0)
        #expect(LocalDate(year: 2000, month: 3, day: 1)!.dayNumber == 11_017)
        #expect(date("2026-11-23").weekday == 1)  // a Monday
        #expect(date("2026-12-26").weekday == 6)  // a Saturday
        #expect(date("1969-12-31").dayNumber == -1)
    }

    @Test func invalidDatesAreRejected() {
        #expect(LocalDate(year: 2026, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2028, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 1900, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2000, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 2026, month: 13, day: 1) == nil)
        #expect(LocalDate(year: 2026, month: 4, day: 31) == nil)
    }

    @Test(arguments: [
        ("2026-01-31", 1, "2026-02-28", true),
        ("2028-01-31", 1, "2028-02-29", true),
        ("2026-03-31", -1, "2026-02-28", true),
        ("2026-08-31", 1, "2026-09-30", true),
        ("2026-12-15", 1, "2027-01-15", false),
        ("2026-01-15", -13, "2024-12-15", false),
        ("2028-02-29", 12, "2029-02-28", true),
    ])
    func monthsClampToMonthEnd(start: String, months: Int, expected: String, clamped: Bool) {
        let r = date(start).adding(months: months)
        #expect(r.date == date(expected))
        #expect(r.clamped == clamped)
    }

    @Test func civilRoundTripProperty() async {
        await propertyCheck(input: Gen.int(in: -200_000...200_000)) { n in
            let d = LocalDate(dayNumber: n)
            let (y, m, day) = d.components
            #expect(LocalDate(year: y, month: m, day: day) == d)
            #expect(d.adding(days: 7).weekday == d.weekday)
        }
    }

    @Test func nthWeekday() {
        #expect(LocalDate.nthWeekday(1, 1, month: 5, year: 2026) == date("2026-05-04"))
        #expect(LocalDate.nthWeekday(1, -1, month: 5, year: 2026) == date("2026-05-25"))
        #expect(LocalDate.nthWeekday(7, -1, month: 10, year: 2026) == date("2026-10-25"))
        #expect(LocalDate.nthWeekday(7, -1, month: 3, year: 2027) == date("2027-03-28"))
    }
}
