/// A point on the UTC time line, in whole seconds since 1970-01-01T00:00:00Z.
public struct Instant: Hashable, Comparable, Sendable {
    public var seconds: Int

    @inlinable
    public init(seconds: Int) {
        self.seconds = seconds
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.seconds < rhs.seconds }

    public func adding(seconds delta: Int) -> Instant { Instant(seconds: seconds + delta) }

    public static let distantPast = Instant(seconds: Int.min / 4)
    public static let distantFuture = Instant(seconds: Int.max / 4)
}

/// A wall-clock date and time with no zone attached.
public struct LocalDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var date: LocalDate
    /// Seconds since local midnight, 0..<86400.
    public var secondOfDay: Int

    public init(date: LocalDate, secondOfDay: Int = 0) {
        precondition((0..<86_400).contains(secondOfDay))
        self.date = date
        self.secondOfDay = secondOfDay
    }

    public init?(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        guard let date = LocalDate(year: year, month: month, day: day),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        self.init(date: date, secondOfDay: hour * 3600 + minute * 60 + second)
    }

    /// Seconds since 1970-01-01T00:00 as if this wall time were UTC.
    var wallSeconds: Int { date.dayNumber * 86_400 + secondOfDay }

    init(wallSeconds: Int) {
        let day = wallSeconds >= 0 ? wallSeconds / 86_400 : (wallSeconds - 86_399) / 86_400
        self.init(date: LocalDate(dayNumber: day), secondOfDay: wallSeconds - day * 86_400)
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool { lhs.wallSeconds < rhs.wallSeconds }

    public var hour: Int { secondOfDay / 3600 }
    public var minute: Int { secondOfDay / 60 % 60 }
    public var second: Int { secondOfDay % 60 }

    /// `HH:MM` (with `:SS` when the seconds are not zero).
    public var timeDescription: String {
        second == 0 ? "\(pad(hour, 2)):\(pad(minute, 2))" : "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
    }

    /// `YYYY-MM-DDTHH:MM:SS`.
    public var description: String {
        "\(date)T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
    }
}
