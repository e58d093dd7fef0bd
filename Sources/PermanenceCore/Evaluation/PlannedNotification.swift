/// The kinds of message a deadline produces over its life.
public enum NotificationStage: String, Sendable, CaseIterable {
    /// Before the deadline, at a rule's lead time.
    case reminder
    /// On the due day.
    case due
    /// When the deadline has been missed.
    case overdue
    /// Further up the ladder as the deadline slips.
    case escalation

    /// Order on the ladder: reminder, due, overdue, escalation.
    public var rank: Int { Self.allCases.firstIndex(of: self)! }
}

/// Someone to tell, by role; `worker` is nil when nobody holds the role on the case.
public struct Recipient: Sendable, Hashable, Codable {
    public let role: String
    public let worker: String?

    public init(role: String, worker: String?) {
        self.role = role
        self.worker = worker
    }
}

/// A message the planner says should go out at an instant, unless the deadline is met or moot first.
public struct PlannedNotification: Sendable {
    public let at: Instant
    public let caseRef: String
    public let ruleIndex: Int
    public let ruleID: String
    public let stage: NotificationStage
    /// Which reminder (1 = earliest) or which rung of the escalation ladder; 0 for due and overdue.
    public let level: Int
    public let cycle: Int
    public let dueInstant: Instant
    public let dueDate: LocalDate
    public let isExact: Bool
    public let severity: Severity
    public let recipients: [Recipient]
    /// When the deadline was met or became moot (the earlier), if it has been or will be: from then on,
    /// nothing more is sent for it.
    public let closesAt: Instant?
    /// Identifies this notification across runs, so it is never sent twice: changes when the due moment does.
    public let key: String
    /// The deadline it is about (`CaseEvaluation.key`): the same for all its reminders, notices and rungs.
    public let deadlineKey: String

    /// The key of a deadline's notice at one stage and level, for a due moment.
    public static func key(deadline: String, stage: NotificationStage, level: Int, due: Instant) -> String {
        "\(deadline)/\(stage.rawValue)\(level)/\(due.seconds)"
    }

    /// A notification key (`case/rule/anchor#cycle/stageN/dueSeconds`, as `key`) taken apart: its
    /// deadline's key and its due moment; nil for a key of another form.
    public static func parts(ofKey key: String) -> (deadlineKey: String, dueSeconds: Int)? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count > 3, let due = Int(parts[parts.count - 1]) else { return nil }
        return (parts.dropLast(2).joined(separator: "/"), due)
    }
    /// Planned before the window it was asked for: the highest rung a deadline had already passed when the
    /// planner first saw it (see `NotificationPlanner.plan(_:from:until:catchUp:)`). Always announced late.
    public internal(set) var isCatchUp = false

    func caughtUp() -> PlannedNotification {
        var n = self
        n.isCatchUp = true
        return n
    }
}
