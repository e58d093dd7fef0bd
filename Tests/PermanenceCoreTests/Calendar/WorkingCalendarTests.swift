import Testing

@testable import PermanenceCore

@Suite struct WorkingCalendarTests {
    @Test func adjustmentsAddAnnualClosuresOneOffDaysAndRemovals() throws {
        let adjustments = CalendarAdjustments(
            closedAnnually: [.init(month: 12, day: 24, name: "Christmas Eve closure")],
            added: [Holiday(date: date("2027-06-07"), name: "Proclamation")],
            removed: [date("2027-08-30")])
        let cal = WorkingCalendar(nation: .englandAndWales, adjustments: adjustments)
        #expect(try !cal.isWorkingDay(date("2026-12-24")))
        #expect(cal.holidayName(date("2026-12-24")) == "Christmas Eve closure")
        #expect(try cal.isWorkingDay(date("2027-12-24")) == false)
        #expect(try !cal.isWorkingDay(date("2027-06-07")))
        #expect(try cal.isWorkingDay(date("2027-08-30")))
        #expect(try cal.addingWorkingDays(1, to: date("2026-12-23")) == date("2026-12-29"))
    }

    @Test func holidaysBetweenAreListedForExplanations() {
        let cal = WorkingCalendar(nation: .scotland)
        let names = cal.holidays(between: date("2026-12-14"), and: date("2027-01-18")).map(\.name)
        #expect(names == ["Christmas Day", "Boxing Day (substitute day)", "New Year’s Day", "2nd January (substitute day)"])
    }

    @Test func rangeLimits() {
        let cal = WorkingCalendar(nation: .englandAndWales, years: 2020...2030)
        #expect(throws: WorkingCalendar.RangeError.self) { try cal.addingWorkingDays(1, to: date("2031-01-01")) }
        #expect(throws: WorkingCalendar.RangeError.self) { try cal.addingWorkingDays(-5, to: date("2020-01-02")) }
        #expect(throws: WorkingCalendar.RangeError.self) { try cal.addingWorkingDays(500, to: date("2030-06-01")) }
    }
}
