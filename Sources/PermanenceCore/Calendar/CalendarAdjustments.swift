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
    /// One-off days the authority is closed.
    public var added: [Holiday]
    /// Bank holidays by royal proclamation not (yet) in the published lists: no working day for statutory
    /// timescales either, unlike the authority's own closures.
    public var proclaimed: [Holiday]
    /// Days that are working days after all (a bank holiday the authority works through).
    public var removed: [LocalDate]

    public init(closedAnnually: [AnnualClosure] = [], added: [Holiday] = [], proclaimed: [Holiday] = [], removed: [LocalDate] = []) {
        self.closedAnnually = closedAnnually
        self.added = added
        self.proclaimed = proclaimed
        self.removed = removed
    }

    /// What statutory working days keep of these: the bank holidays by proclamation, nothing the authority
    /// decided (regulations define a working day by weekends and bank holidays alone).
    public var statutory: CalendarAdjustments { CalendarAdjustments(proclaimed: proclaimed) }

    public static let none = CalendarAdjustments()
}
