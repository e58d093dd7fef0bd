import PermanenceCore

/// One notification as an email shows it: the least a worker needs to act, and nothing more about the child
/// than the case reference and initials.
public struct MailItem: Sendable, Equatable {
    /// The notification's key: stable, so a calendar event or a retry refers to the same thing.
    public var key: String
    public var caseRef: String
    public var initials: String?
    public var ruleTitle: String
    public var action: String?
    public var source: String
    public var stage: NotificationStage
    public var severity: Severity
    public var dueAt: Instant
    public var isExact: Bool

    public init(key: String, caseRef: String, initials: String?, ruleTitle: String, action: String?, source: String,
                stage: NotificationStage, severity: Severity, dueAt: Instant, isExact: Bool) {
        self.key = key
        self.caseRef = caseRef
        self.initials = initials
        self.ruleTitle = ruleTitle
        self.action = action
        self.source = source
        self.stage = stage
        self.severity = severity
        self.dueAt = dueAt
        self.isExact = isExact
    }

    /// The local day the deadline falls on (a whole-day deadline ends at the next midnight).
    func dueDay(_ zone: ZoneRules) -> LocalDate {
        zone.localDate(at: isExact ? dueAt : dueAt.adding(seconds: -1))
    }
}

/// Who an email goes to.
public struct MailRecipient: Sendable, Equatable {
    public var workerID: String
    public var name: String
    public var address: String

    public init(workerID: String, name: String, address: String) {
        self.workerID = workerID
        self.name = name
        self.address = address
    }
}
