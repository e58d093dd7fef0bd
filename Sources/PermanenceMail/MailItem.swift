import PermanenceCore

/// One notification as an email shows it: the least a worker needs to act, and nothing more about the child
/// than the case reference and initials.
public struct MailItem: Sendable, Equatable {
    /// The notification's key (`case/rule/anchor#cycle/stageN/due`): stable, so a retry refers to the same
    /// thing.
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
    /// The rung of the escalation ladder (1 = first) for an escalation; 0 otherwise.
    public var level: Int
    /// The worker who owns the deadline (after absence cover), if anyone holds the owner role.
    public var owner: Person?
    /// The owner's line manager, if they have one.
    public var ownerManager: Person?
    /// Who an escalation went to besides the owner (their managers), for the owner's copy.
    public var escalatedTo: [Person]
    /// The working calendar of the case (`WorkingCalendar.name`), for "overdue by 2 working days".
    public var calendar: String?
    /// The rule's longest reminder lead, in seconds: the calendar event's alarm.
    public var alarmLead: Int?
    /// Already in an email to this recipient (a digest's "still outstanding" item sent at once earlier).
    public var emailed: Bool

    /// A worker as an email names them.
    public struct Person: Sendable, Equatable {
        public var id: String
        public var name: String

        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public init(key: String, caseRef: String, initials: String?, ruleTitle: String, action: String?, source: String,
                stage: NotificationStage, severity: Severity, dueAt: Instant, isExact: Bool, level: Int = 0,
                owner: Person? = nil, ownerManager: Person? = nil, escalatedTo: [Person] = [], calendar: String? = nil,
                alarmLead: Int? = nil, emailed: Bool = false) {
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
        self.level = level
        self.owner = owner
        self.ownerManager = ownerManager
        self.escalatedTo = escalatedTo
        self.calendar = calendar
        self.alarmLead = alarmLead
        self.emailed = emailed
    }

    /// The deadline the item is about (`case/rule/anchor#cycle`): every reminder, notice and escalation of
    /// one deadline shares it, and it stays the same when the due date moves.
    public var deadlineKey: String { PlannedNotification.parts(ofKey: key)?.deadlineKey ?? key }

    /// The local day the deadline falls on (a whole-day deadline ends at the next midnight).
    func dueDay(_ zone: ZoneRules) -> LocalDate {
        zone.dueDay(of: dueAt, exact: isExact)
    }

    /// Later on the ladder than `other`: the one to show when both are about one deadline.
    func supersedes(_ other: MailItem) -> Bool {
        (stage.rank, level) > (other.stage.rank, other.level)
    }
}

/// Who an email goes to.
public struct MailRecipient: Sendable, Equatable {
    public var workerID: String
    public var name: String
    public var address: String
    /// `name` is the admin's `display-name`: greet by it exactly, not rearranged from a directory form.
    public var greetAsIs: Bool

    public init(workerID: String, name: String, address: String, greetAsIs: Bool = false) {
        self.workerID = workerID
        self.name = name
        self.address = address
        self.greetAsIs = greetAsIs
    }
}
