/// A child's case as the engine sees it: no name, only what deadlines depend on.
public struct ChildCase: Sendable, Equatable {
    /// The case management system's reference (`LEI-2026-0142`).
    public var reference: String
    /// Display initials for messages, when the authority allows them.
    public var initials: String?
    /// The care plan (`adoption`, `long-term-fostering`, ...); empty when unknown, so every plan's rules apply.
    public var plan: String
    /// The working calendar (`england-and-wales`, `scotland`, ...).
    public var calendar: String
    /// Rule packs for this case; empty for the configured defaults.
    public var packs: [String]
    /// Worker assigned to each role.
    public var assignments: [String: String]

    public init(
        reference: String, initials: String? = nil, plan: String, calendar: String, packs: [String] = [],
        assignments: [String: String] = [:]
    ) {
        self.reference = reference
        self.initials = initials
        self.plan = plan
        self.calendar = calendar
        self.packs = packs
        self.assignments = assignments
    }
}

/// Something that happened (or is listed to happen) in a case. A record: a correction or a withdrawal is an
/// event of its own, never a change to this one.
public struct CaseEvent: Sendable, Equatable {
    // Constants, not variables: with `var` fields the compiler copied every event whole in its initialiser (a
    // retain and a release of each string), 9% of the engine's work.
    /// Stable identifier; from the source system, or derived from the content when it has none.
    public let id: String
    public let caseRef: String
    /// The event kind, from the vocabulary.
    public let kind: String
    /// When it happened or is listed; a date-only event stands at local midnight.
    public let at: Instant
    /// The time of day was not recorded.
    public let dateOnly: Bool
    public let note: String?
    /// The event this one corrects; the corrected one stops counting.
    public let supersedes: String?
    /// Withdrawn events do not count (recorded in error, or an application withdrawn).
    public let withdrawn: Bool

    public init(
        id: String, caseRef: String, kind: String, at: Instant, dateOnly: Bool = false, note: String? = nil,
        supersedes: String? = nil, withdrawn: Bool = false
    ) {
        self.id = id
        self.caseRef = caseRef
        self.kind = kind
        self.at = at
        self.dateOnly = dateOnly
        self.note = note
        self.supersedes = supersedes
        self.withdrawn = withdrawn
    }
}
