/// Working days for one calendar: weekends, a nation's bank holidays and the authority's adjustments,
/// indexed once so that adding any number of working days is O(1).
public struct WorkingCalendar: Sendable {
    /// The calendar's name as cases and rules use it (`scotland`).
    public let name: String
    public let nation: Nation
    /// The range of dates the index covers.
    public let supportedRange: ClosedRange<LocalDate>

    private let firstDay: Int
    /// `rank[i]`: working days strictly before `firstDay + i` (one extra entry at the end).
    private let rank: [Int32]
    /// Day numbers of the working days, ascending.
    private let workingDays: [Int32]
    /// Non-working weekdays (bank holidays and closures) with their names, ascending.
    public let holidays: [Holiday]

    /// Errors of working-day arithmetic.
    public struct RangeError: Error, CustomStringConvertible, Sendable {
        public let date: LocalDate
        public let range: ClosedRange<LocalDate>
        public var description: String {
            "date \(date) is outside the supported range \(range.lowerBound) to \(range.upperBound)"
        }
    }

    public init(
        name: String? = nil, nation: Nation, adjustments: CalendarAdjustments = .none,
        years: ClosedRange<Int> = 1990...2200
    ) {
        self.name = name ?? nation.rawValue
        self.nation = nation
        let first = LocalDate(year: years.lowerBound, month: 1, day: 1)!
        let last = LocalDate(year: years.upperBound, month: 12, day: 31)!
        supportedRange = first...last
        firstDay = first.dayNumber

        var byDay: [Int: String] = [:]
        for year in years {
            for h in BankHolidays.holidays(nation, year: year) { byDay[h.date.dayNumber] = h.name }
            for c in adjustments.closedAnnually {
                if let d = LocalDate(year: year, month: c.month, day: c.day), !d.isWeekend, byDay[d.dayNumber] == nil {
                    byDay[d.dayNumber] = c.name
                }
            }
        }
        for h in adjustments.added + adjustments.proclaimed { byDay[h.date.dayNumber] = h.name }
        for d in adjustments.removed { byDay[d.dayNumber] = nil }

        let count = last.dayNumber - first.dayNumber + 1
        var rank = [Int32](repeating: 0, count: count + 1)
        var working: [Int32] = []
        working.reserveCapacity(count * 5 / 7 + 1)
        var n: Int32 = 0
        for i in 0..<count {
            rank[i] = n
            let day = LocalDate(dayNumber: first.dayNumber + i)
            if !day.isWeekend && byDay[day.dayNumber] == nil {
                working.append(Int32(day.dayNumber))
                n += 1
            }
        }
        rank[count] = n
        self.rank = rank
        self.workingDays = working
        self.holidays = byDay.filter { !LocalDate(dayNumber: $0.key).isWeekend }
            .map { Holiday(date: LocalDate(dayNumber: $0.key), name: $0.value) }
            .sorted { $0.date < $1.date }
    }

    @inline(__always)
    private func index(_ date: LocalDate) throws(RangeError) -> Int {
        let i = date.dayNumber - firstDay
        guard i >= 0, i < rank.count - 1 else { throw RangeError(date: date, range: supportedRange) }
        return i
    }

    /// Whether staff work on this day.
    public func isWorkingDay(_ date: LocalDate) throws(RangeError) -> Bool {
        let i = try index(date)
        return rank[i + 1] != rank[i]
    }

    /// The name of the bank holiday or closure on a weekday, if any.
    public func holidayName(_ date: LocalDate) -> String? {
        holidayIndex(date).flatMap { holidays[$0].date == date ? holidays[$0].name : nil }
    }

    /// `anchor + n` working days: for `n > 0` the nth working day after the anchor day, for `n < 0` the
    /// nth working day before it, for `0` the anchor day itself, whatever kind of day it is.
    public func addingWorkingDays(_ n: Int, to anchor: LocalDate) throws(RangeError) -> LocalDate {
        if n == 0 { return anchor }
        let i = try index(anchor)
        let k = n > 0 ? Int(rank[i + 1]) + n - 1 : Int(rank[i]) + n
        guard k >= 0, k < workingDays.count else {
            throw RangeError(date: anchor.adding(days: n * 7 / 5), range: supportedRange)
        }
        return LocalDate(dayNumber: Int(workingDays[k]))
    }

    /// Working days in the half-open interval `[from, to)`.
    public func workingDays(from: LocalDate, to: LocalDate) throws(RangeError) -> Int {
        Int(rank[try index(to)]) - Int(rank[try index(from)])
    }

    /// The working day on or before a date.
    public func workingDay(onOrBefore date: LocalDate) throws(RangeError) -> LocalDate {
        try isWorkingDay(date) ? date : try addingWorkingDays(-1, to: date)
    }

    /// The working day on or after a date.
    public func workingDay(onOrAfter date: LocalDate) throws(RangeError) -> LocalDate {
        try isWorkingDay(date) ? date : try addingWorkingDays(1, to: date)
    }

    /// Bank holidays and closures on weekdays strictly between two dates (either order), ascending.
    public func holidays(between a: LocalDate, and b: LocalDate) -> [Holiday] {
        let (lo, hi) = a < b ? (a, b) : (b, a)
        guard let start = firstHolidayIndex(after: lo) else { return [] }
        var out: [Holiday] = []
        var i = start
        while i < holidays.count, holidays[i].date < hi {
            out.append(holidays[i])
            i += 1
        }
        return out
    }

    /// The holidays of one year, e.g. for `permanenced holidays`.
    public func holidays(inYear year: Int) -> [Holiday] {
        holidays.filter { $0.date.year == year }
    }

    private func firstHolidayIndex(after date: LocalDate) -> Int? {
        var lo = 0
        var hi = holidays.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if holidays[mid].date <= date { lo = mid + 1 } else { hi = mid }
        }
        return lo < holidays.count ? lo : nil
    }

    private func holidayIndex(_ date: LocalDate) -> Int? {
        guard let i = firstHolidayIndex(after: date.adding(days: -1)) else { return nil }
        return i
    }
}
