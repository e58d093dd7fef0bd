/// Bank holidays of each UK nation: the published list where it covers the year, the statutory rules
/// (Easter, first/last Mondays, substitute days) for every other year.
public enum BankHolidays {
    /// Years for which the published list is used instead of the rules.
    public static let publishedYears: ClosedRange<Int> = 2018...2028

    /// The bank holidays of a nation in a year, in date order.
    public static func holidays(_ nation: Nation, year: Int) -> [Holiday] {
        if publishedYears.contains(year), let list = PublishedHolidays.list(nation, year: year) {
            return list
        }
        return generated(nation, year: year)
    }

    /// The bank holidays the rules give for a year, with substitute days for those falling at a weekend.
    /// One-off proclamations (a jubilee, a state funeral) are not in the rules: they come from the published
    /// list or from the admin's configuration.
    public static func generated(_ nation: Nation, year: Int) -> [Holiday] {
        let easter = easterSunday(year)
        var fixed: [Holiday] = []  // dates that move to a weekday when they fall at a weekend
        var floating: [Holiday] = []  // always on a weekday
        func day(_ m: Int, _ d: Int) -> LocalDate { LocalDate(year: year, month: m, day: d)! }

        fixed.append(Holiday(date: day(1, 1), name: "New Year’s Day"))
        if nation == .scotland { fixed.append(Holiday(date: day(1, 2), name: "2nd January")) }
        if nation == .northernIreland { fixed.append(Holiday(date: day(3, 17), name: "St Patrick’s Day")) }
        floating.append(Holiday(date: easter.adding(days: -2), name: "Good Friday"))
        if nation != .scotland { floating.append(Holiday(date: easter.adding(days: 1), name: "Easter Monday")) }
        floating.append(Holiday(date: LocalDate.nthWeekday(1, 1, month: 5, year: year), name: "Early May bank holiday"))
        floating.append(Holiday(date: LocalDate.nthWeekday(1, -1, month: 5, year: year), name: "Spring bank holiday"))
        if nation == .northernIreland {
            fixed.append(Holiday(date: day(7, 12), name: "Battle of the Boyne (Orangemen’s Day)"))
        }
        if nation == .scotland {
            floating.append(Holiday(date: LocalDate.nthWeekday(1, 1, month: 8, year: year), name: "Summer bank holiday"))
            fixed.append(Holiday(date: day(11, 30), name: "St Andrew’s Day"))
        } else {
            floating.append(Holiday(date: LocalDate.nthWeekday(1, -1, month: 8, year: year), name: "Summer bank holiday"))
        }
        fixed.append(Holiday(date: day(12, 25), name: "Christmas Day"))
        fixed.append(Holiday(date: day(12, 26), name: "Boxing Day"))

        var result = floating
        for h in fixed where !h.date.isWeekend { result.append(h) }
        // Weekend holidays, in date order, take the next weekday that is not already a holiday.
        for h in fixed.sorted(by: { $0.date < $1.date }) where h.date.isWeekend {
            var d = h.date.adding(days: 1)
            while d.isWeekend || result.contains(where: { $0.date == d }) { d = d.adding(days: 1) }
            result.append(Holiday(date: d, name: "\(h.name) (substitute day)"))
        }
        return result.sorted { $0.date < $1.date }
    }

    /// Easter Sunday (Gregorian; anonymous algorithm).
    public static func easterSunday(_ year: Int) -> LocalDate {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let dayOfMonth = (h + l - 7 * m + 114) % 31 + 1
        return LocalDate(year: year, month: month, day: dayOfMonth)!
    }
}
