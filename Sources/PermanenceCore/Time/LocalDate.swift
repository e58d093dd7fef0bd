/// A calendar date with no time zone (proleptic Gregorian), stored as days since 1970-01-01.
///
/// All date arithmetic in permanenced goes through this type: it is a plain integer underneath, so
/// comparisons and day offsets cost nothing and no Foundation calendar is involved.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public var dayNumber: Int

    public init(dayNumber: Int) {
        self.dayNumber = dayNumber
    }

    /// A date from its parts; `nil` when the parts do not name a real day (30 February).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysInMonth(year: year, month: month) else {
            return nil
        }
        self.dayNumber = LocalDate.daysFromCivil(year: year, month: month, day: day)
    }

    /// The year, month (1-12) and day of month.
    public var components: (year: Int, month: Int, day: Int) {
        LocalDate.civilFromDays(dayNumber)
    }

    public var year: Int { components.year }

    /// ISO weekday: Monday is 1, Sunday is 7.
    public var weekday: Int {
        let w = (dayNumber + 3) % 7  // 1970-01-01 was a Thursday
        return (w < 0 ? w + 7 : w) + 1
    }

    /// `Monday` … `Sunday`.
    public var weekdayName: String {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][weekday - 1]
    }

    /// Saturday or Sunday.
    public var isWeekend: Bool { weekday >= 6 }

    public func adding(days: Int) -> LocalDate {
        LocalDate(dayNumber: dayNumber + days)
    }

    /// Adds calendar months, clamping to the last day of the resulting month (31 Jan + 1 month = 28/29 Feb).
    /// `clamped` tells whether the day of month had to be reduced.
    public func adding(months: Int) -> (date: LocalDate, clamped: Bool) {
        let (y, m, d) = components
        let total = y * 12 + (m - 1) + months
        let ny = total >= 0 ? total / 12 : (total - 11) / 12
        let nm = total - ny * 12 + 1
        let last = LocalDate.daysInMonth(year: ny, month: nm)
        let nd = min(d, last)
        return (LocalDate(dayNumber: LocalDate.daysFromCivil(year: ny, month: nm, day: nd)), nd != d)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = components
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    public static func isLeapYear(_ y: Int) -> Bool {
        (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The `n`th (1-based) given ISO weekday of a month, or the last one when `n` is -1.
    public static func nthWeekday(_ weekday: Int, _ n: Int, month: Int, year: Int) -> LocalDate {
        if n > 0 {
            let first = LocalDate(year: year, month: month, day: 1)!
            let shift = (weekday - first.weekday + 7) % 7
            return first.adding(days: shift + (n - 1) * 7)
        }
        let last = LocalDate(year: year, month: month, day: daysInMonth(year: year, month: month))!
        let shift = (last.weekday - weekday + 7) % 7
        return last.adding(days: -shift)
    }

    // Howard Hinnant's civil-calendar algorithms.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

@inline(__always)
func pad(_ value: Int, _ width: Int) -> String {
    let s = String(abs(value))
    let padded = s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    return value < 0 ? "-" + padded : padded
}
