/// Adds offsets to dates and date-times in one zone and one working calendar.
///
/// `add` is the fast path the evaluator uses; `calculate` also returns the steps a person needs to trust
/// the answer (holidays skipped, clock changes crossed, a month end clamped).
///
/// A class: the evaluator hands one to every rule of every case, and a reference costs one retain where a
/// copy of the zone's and calendar's tables would cost one for each.
public final class DateCalculator: Sendable {
    public let zone: ZoneRules
    public let calendar: WorkingCalendar

    public init(zone: ZoneRules, calendar: WorkingCalendar) {
        self.zone = zone
        self.calendar = calendar
    }

    /// Why an offset could not be applied.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The result of `calculate`.
    public struct Calculation: Sendable {
        public let start: TimePoint
        public let offset: Offset
        public let result: TimePoint
        public let steps: [Step]
    }

    /// Something that happened on the way from start to result.
    public enum Step: Sendable, Equatable, CustomStringConvertible {
        case holidaySkipped(Holiday)
        case weekendDaysSkipped(Int)
        case anchorNotWorkingDay(LocalDate)
        case clockChange(ZoneRules.Transition, zone: String)
        case monthEndClamped(requestedDay: Int, result: LocalDate)
        case gapShifted(requested: LocalDateTime, seconds: Int)
        case ambiguousTime(LocalDateTime)

        public var description: String {
            switch self {
            case .holidaySkipped(let h):
                return "skipped \(h.date) (\(weekdayName(h.date))): \(h.name)"
            case .weekendDaysSkipped(let n):
                return "skipped \(n) weekend day\(n == 1 ? "" : "s")"
            case .anchorNotWorkingDay(let d):
                return "start day \(d) is not a working day; day 0 is still the start day"
            case .clockChange(let t, _):
                let direction = t.toOffset > t.fromOffset ? "forward" : "back"
                return "clocks went \(direction) at \(t.at.isoUTC) (\(t.fromAbbreviation) to \(t.toAbbreviation))"
            case .monthEndClamped(let day, let result):
                return "day \(day) does not exist in that month; clamped to \(result)"
            case .gapShifted(let requested, let seconds):
                return "\(requested) does not exist (clocks went forward); moved \(seconds / 60) minutes later"
            case .ambiguousTime(let local):
                return "\(local) happens twice (clocks went back); the first was taken"
            }
        }

        /// A short form for one-line explanations (`clocks went back`).
        public var shortDescription: String {
            switch self {
            case .clockChange(let t, _): return t.toOffset > t.fromOffset ? "clocks went forward" : "clocks went back"
            case .holidaySkipped(let h): return "\(h.name) skipped"
            default: return description
            }
        }
    }

    /// `start + offset`. Hours need a date-time; a date start gives a date for every other unit.
    public func add(_ offset: Offset, to start: TimePoint) throws(Failure) -> TimePoint {
        switch (start, offset.unit) {
        case (.date, .hours):
            throw Failure(description: "an offset in hours (\(offset)) needs a start with a time of day, e.g. 2026-10-23T14:00")
        case (.dateTime(_, let instant), .hours):
            let end = instant.adding(seconds: offset.amount * 3600)
            return .dateTime(zone.localDateTime(at: end), end)
        case (.date(let d), _):
            return .date(try addToDate(offset, d))
        case (.dateTime(let local, _), _):
            let date = try addToDate(offset, local.date)
            let wall = LocalDateTime(date: date, secondOfDay: local.secondOfDay)
            let resolved = zone.resolve(wall)
            return .dateTime(zone.localDateTime(at: resolved.instant), resolved.instant)
        }
    }

    /// The date `offset` away from `date` (not for hours).
    @inline(__always)
    public func addToDate(_ offset: Offset, _ date: LocalDate) throws(Failure) -> LocalDate {
        switch offset.unit {
        case .days: return date.adding(days: offset.amount)
        case .weeks: return date.adding(days: offset.amount * 7)
        case .months: return date.adding(months: offset.amount).date
        case .workingDays:
            do {
                return try calendar.addingWorkingDays(offset.amount, to: date)
            } catch {
                throw Failure(description: "\(calendar.name): \(error)")
            }
        case .hours:
            return date.adding(days: offset.amount / 24)
        }
    }

    /// `start + offset` with the steps that explain it.
    public func calculate(_ offset: Offset, from start: TimePoint) throws(Failure) -> Calculation {
        let result = try add(offset, to: start)
        var steps: [Step] = []
        let startDate: LocalDate
        let endDate: LocalDate
        switch (start, result) {
        case (.date(let a), .date(let b)): (startDate, endDate) = (a, b)
        case (.dateTime(let a, _), .dateTime(let b, _)): (startDate, endDate) = (a.date, b.date)
        default: (startDate, endDate) = (LocalDate(dayNumber: 0), LocalDate(dayNumber: 0))
        }
        if offset.unit == .workingDays, offset.amount != 0 {
            if (try? calendar.isWorkingDay(startDate)) == false { steps.append(.anchorNotWorkingDay(startDate)) }
            let skipped = calendar.holidays(between: startDate, and: endDate)
            steps.append(contentsOf: skipped.map { .holidaySkipped($0) })
            let (lo, hi) = startDate < endDate ? (startDate, endDate) : (endDate, startDate)
            let weekend = Self.weekendDays(after: lo, before: hi)
            if weekend > 0 { steps.append(.weekendDaysSkipped(weekend)) }
        }
        if offset.unit == .months {
            let d = startDate.components.day
            if endDate.components.day != d { steps.append(.monthEndClamped(requestedDay: d, result: endDate)) }
        }
        if case .dateTime(let local, let a) = start, case .dateTime(let resultLocal, let b) = result {
            // Clock changes matter only to elapsed hours; other units keep the wall-clock time.
            if offset.unit == .hours {
                let (lo, hi) = a < b ? (a, b) : (b, a)
                steps.append(contentsOf: zone.transitions(after: lo, through: hi).map { .clockChange($0, zone: zone.identifier) })
            } else {
                let wall = LocalDateTime(date: endDate, secondOfDay: local.secondOfDay)
                switch zone.resolve(wall).resolution {
                case .gap(let s): steps.append(.gapShifted(requested: wall, seconds: s))
                case .overlap: steps.append(.ambiguousTime(resultLocal))
                case .unique: break
                }
            }
        }
        return Calculation(start: start, offset: offset, result: result, steps: steps)
    }

    /// Saturdays and Sundays strictly between two dates.
    static func weekendDays(after lo: LocalDate, before hi: LocalDate) -> Int {
        var n = 0
        var d = lo.adding(days: 1)
        // Whole weeks first, then the remainder.
        let span = hi.dayNumber - d.dayNumber
        if span > 7 {
            n += (span / 7) * 2
            d = d.adding(days: (span / 7) * 7)
        }
        while d < hi {
            if d.isWeekend { n += 1 }
            d = d.adding(days: 1)
        }
        return n
    }
}

func weekdayName(_ date: LocalDate) -> String { date.weekdayName }

extension Instant {
    /// `2026-10-25T01:00:00Z`.
    public var isoUTC: String {
        LocalDateTime(wallSeconds: seconds).description + "Z"
    }
}
