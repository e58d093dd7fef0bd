import Testing

@testable import PermanenceCore

@Suite struct BankHolidaysTests {
    func dates(_ nation: Nation, _ year: Int) -> [String] {
        BankHolidays.holidays(nation, year: year).map(\.date.description)
    }

    // The published lists for 2025-2028, written out independently of the table in the source.
    @Test(arguments: [
        (Nation.englandAndWales, 2025, "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26"),
        (.englandAndWales, 2026, "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28"),
        (.englandAndWales, 2027, "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28"),
        (.englandAndWales, 2028, "01-03 04-14 04-17 05-01 05-29 08-28 12-25 12-26"),
        (.scotland, 2025, "01-01 01-02 04-18 05-05 05-26 08-04 12-01 12-25 12-26"),
        (.scotland, 2026, "01-01 01-02 04-03 05-04 05-25 08-03 11-30 12-25 12-28"),
        (.scotland, 2027, "01-01 01-04 03-26 05-03 05-31 08-02 11-30 12-27 12-28"),
        (.scotland, 2028, "01-03 01-04 04-14 05-01 05-29 08-07 11-30 12-25 12-26"),
        (.northernIreland, 2025, "01-01 03-17 04-18 04-21 05-05 05-26 07-14 08-25 12-25 12-26"),
        (.northernIreland, 2026, "01-01 03-17 04-03 04-06 05-04 05-25 07-13 08-31 12-25 12-28"),
        (.northernIreland, 2027, "01-01 03-17 03-26 03-29 05-03 05-31 07-12 08-30 12-27 12-28"),
        (.northernIreland, 2028, "01-03 03-17 04-14 04-17 05-01 05-29 07-12 08-28 12-25 12-26"),
    ])
    func eachNationsHolidays(nation: Nation, year: Int, expected: String) {
        let want = expected.split(separator: " ").map { "\(year)-\($0)" }
        #expect(dates(nation, year) == want)
        // The rules alone give the same list (no proclamations in these years).
        #expect(BankHolidays.generated(nation, year: year).map(\.date.description) == want)
    }

    @Test func substituteDaysAreNamed() {
        let ew2026 = BankHolidays.holidays(.englandAndWales, year: 2026)
        #expect(ew2026.last?.name == "Boxing Day (substitute day)")
        let scot2027 = BankHolidays.holidays(.scotland, year: 2027)
        #expect(scot2027.contains { $0.date == date("2027-01-04") && $0.name == "2nd January (substitute day)" })
        // Christmas on a Sunday: Boxing Day stays on the Monday, Christmas moves to the Tuesday.
        let gen2033 = BankHolidays.generated(.englandAndWales, year: 2033)
        #expect(gen2033.suffix(2).map(\.date.description) == ["2033-12-26", "2033-12-27"])
        #expect(gen2033.last?.name == "Christmas Day (substitute day)")
        // St Patrick's Day on a Sunday (2024) moves to the Monday.
        #expect(dates(.northernIreland, 2024).contains("2024-03-18"))
    }

    @Test func rulesMatchThePublishedListsExceptProclamations() {
        let proclaimed: Set<String> = ["2020-05-08", "2022-06-02", "2022-06-03", "2022-09-19", "2023-05-08"]
        let movedByProclamation: Set<String> = ["2020-05-04", "2022-05-30"]
        for nation in Nation.allCases {
            for year in BankHolidays.publishedYears {
                let published = Set(dates(nation, year)).subtracting(proclaimed)
                let generated = Set(BankHolidays.generated(nation, year: year).map(\.date.description))
                    .subtracting(movedByProclamation)
                #expect(published == generated, "\(nation) \(year)")
            }
        }
    }

    @Test func laterYearsAreGeneratedFromTheRules() {
        // Easter 2031 is 13 April; the Scottish and NI lists differ from England's.
        #expect(dates(.englandAndWales, 2031) == [
            "2031-01-01", "2031-04-11", "2031-04-14", "2031-05-05", "2031-05-26", "2031-08-25", "2031-12-25", "2031-12-26",
        ])
        #expect(!dates(.scotland, 2031).contains("2031-04-14"))
        #expect(dates(.scotland, 2031).contains("2031-12-01"))  // St Andrew's Day 2031 is a Sunday
        #expect(dates(.northernIreland, 2032).contains("2032-03-17"))
        #expect(dates(.northernIreland, 2032).contains("2032-07-12"))
    }

    @Test(arguments: [(2024, "2024-03-31"), (2025, "2025-04-20"), (2026, "2026-04-05"), (2038, "2038-04-25"), (2285, "2285-03-22")])
    func easter(year: Int, expected: String) {
        #expect(BankHolidays.easterSunday(year) == date(expected))
    }
}
