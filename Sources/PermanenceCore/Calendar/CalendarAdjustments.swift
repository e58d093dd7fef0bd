/// An authority's changes to a nation's bank holidays, from configuration.
public struct CalendarAdjustments: Sendable, Equatable {
    /// A closure every year on a month and day (e.g. 24 December), when it falls on a weekday.
    public struct AnnualClosure: Sendable, Equatable {
        public var month: Int
        public var day: Int
        public var name: String

        public init(month: Int, day: Int, name: String) {
            self.month = month
            self.day = day
            self.name = name
        }
    }

    /// Closures that recur every year.
    public var closedAnnually: [AnnualClosure]
    /// One-off non-working days: a holiday by proclamation, a closure.
    public var added: [Holiday]
    /// Days that are working days after all (a bank holiday the authority works through).
    public var removed: [LocalDate]

    public init(closedAnnually: [AnnualClosure] = [], added: [Holiday] = [], removed: [LocalDate] = []) {
        self.closedAnnually = closedAnnually
        self.added = added
        self.removed = removed
    }

    public static let none = CalendarAdjustments()
}
