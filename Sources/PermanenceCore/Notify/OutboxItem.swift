/// A notification that has fallen due and waits in the outbox (or has been delivered): everything needed
/// to announce it, without evaluating the case again.
public struct OutboxItem: Sendable, Equatable {
    /// `PlannedNotification.key`: the same notification is never queued twice.
    public let key: String
    public let caseRef: String
    public let ruleID: String
    public let stage: NotificationStage
    public let level: Int
    public let dueAt: Instant
    public let isExact: Bool
    public let severity: Severity
    /// The moment it was planned for.
    public let plannedAt: Instant
    /// The worker who owns the deadline (after absence cover), if anyone holds the owner role.
    public let owner: String?
    /// Who is told, by role, after absence cover.
    public let recipients: [Recipient]
    /// Queued well after its moment (the daemon was down).
    public let late: Bool
    /// Late, and one of a backlog too large to announce entry by entry (`Backlog`): its owner gets one summary
    /// at the loudest priority among them, and its own journal entry goes at `info`, with `BACKLOG=1`.
    public var backlog = false
    /// When the deadline's next notice is planned, if it was known when this one was queued.
    public let nextNoticeAt: Instant?

    public init(
        key: String, caseRef: String, ruleID: String, stage: NotificationStage, level: Int, dueAt: Instant,
        isExact: Bool, severity: Severity, plannedAt: Instant, owner: String?, recipients: [Recipient], late: Bool,
        nextNoticeAt: Instant? = nil
    ) {
        self.key = key
        self.caseRef = caseRef
        self.ruleID = ruleID
        self.stage = stage
        self.level = level
        self.dueAt = dueAt
        self.isExact = isExact
        self.severity = severity
        self.plannedAt = plannedAt
        self.owner = owner
        self.recipients = recipients
        self.late = late
        self.nextNoticeAt = nextNoticeAt
    }

    /// `role=worker` pairs separated by commas (`role=` when nobody holds the role), as the journal's
    /// `RECIPIENTS=` shows them. Worker ids cannot contain `,` or `=` (`WorkerID`), so this reads back
    /// unambiguously; the store keeps the list itself, not this text.
    public static func encode(_ recipients: [Recipient]) -> String {
        recipients.map { "\($0.role)=\($0.worker ?? "")" }.joined(separator: ",")
    }
}
