/// The arithmetic behind a deadline, in the words `explain` prints:
/// `placed-for-adoption 2026-10-23 14:00 BST + 72h = 2026-10-26 13:00 GMT, clocks went back`.
public struct DeadlineExplanation: Sendable {
    public let sentence: String
    public let steps: [DateCalculator.Step]

    /// Explains a computed deadline of `evaluation`.
    public init(_ c: Deadline.Computed, rule: Rule, calculator calc: DateCalculator, evaluation: CaseEvaluation) {
        let zone = calc.zone
        let anchorText = c.anchor.dateOnly
            ? zone.localDate(at: c.anchor.at).description
            : zone.humanDateTime(c.anchor.at)
        let start: TimePoint = c.anchor.dateOnly && c.offset.unit != .hours
            ? .date(zone.localDate(at: c.anchor.at))
            : .dateTime(zone.localDateTime(at: c.anchor.at), c.anchor.at)
        let result = try? calc.calculate(c.offset, from: start)
        let steps = result?.steps ?? []
        // The sum itself; an extension moves the due date past it, and is said after it.
        var sumDate = c.dueDate
        var sumInstant = c.dueInstant
        if c.extensions > 0, let r = result?.result {
            switch r {
            case .date(let d): sumDate = d
            case .dateTime(let t, let i):
                sumDate = t.date
                sumInstant = i
            }
        }
        func day(_ d: LocalDate, _ part: String) -> String { "\(d) (\(weekdayName(d)), \(part))" }
        let dueText = c.isExact ? zone.humanDateTime(sumInstant) : day(sumDate, c.kind == .notBefore ? "from the start of the day" : "end of day")
        var notes = steps.map(\.shortDescription)
        if c.extensions > 0 {
            let last = c.isExact ? zone.humanDateTime(c.dueInstant) : day(c.dueDate, "end of day")
            notes.append("extended \(c.extensionsInWords) to \(last)")
        }
        if c.anchor.dateOnly && c.offset.unit == .hours { notes.insert("no time recorded, midnight assumed", at: 0) }
        if case .at = rule.dueTime { notes.append("due at \(rule.dueTime) on the day") }
        if c.offset.unit == .workingDays { notes.append(rule.workingDays.description) }
        let verb = c.offset.amount < 0 ? "-" : "+"
        sentence = "\(evaluation.event(c.anchor).kind) \(anchorText) \(verb) \(abs(c.offset.amount))\(c.offset.unit.rawValue) = \(dueText)"
            + (notes.isEmpty ? "" : ", " + notes.joined(separator: ", "))
        self.steps = steps
    }
}
