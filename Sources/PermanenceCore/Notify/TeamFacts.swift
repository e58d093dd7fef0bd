/// What a manager's weekly report is made from, for a set of workers (a team, or a service), as the store
/// reads it: their open deadlines due by the end of the coming week (overdue ones too), those met since the
/// last report, the escalations sent about deadlines still open, and their open cases.
public struct TeamFacts: Sendable {
    public struct Deadline: Sendable, Equatable {
        public var caseRef: String
        public var ruleID: String
        public var owner: String
        public var dueAt: Instant
        /// A timed deadline (else due by the end of a day: `dueAt` is the next midnight).
        public var exact: Bool
        /// When it was met (in `met` only).
        public var metAt: Instant?

        public init(caseRef: String, ruleID: String, owner: String, dueAt: Instant, exact: Bool = false, metAt: Instant? = nil) {
            self.caseRef = caseRef
            self.ruleID = ruleID
            self.owner = owner
            self.dueAt = dueAt
            self.exact = exact
            self.metAt = metAt
        }
    }

    public struct TeamCase: Sendable, Equatable {
        public var ref: String
        public var initials: String?
        public var plan: String
        /// The team's worker on the case (the first by role, in the vocabulary's order).
        public var worker: String
        public var openedAt: Instant?

        public init(ref: String, initials: String?, plan: String, worker: String, openedAt: Instant?) {
            self.ref = ref
            self.initials = initials
            self.plan = plan
            self.worker = worker
            self.openedAt = openedAt
        }
    }

    /// Open deadlines owned in the team, due by `now` + 7 days.
    public var open: [Deadline] = []
    /// Deadlines owned in the team, met in (`since`, `now`].
    public var met: [Deadline] = []
    /// Open deadlines about which an escalation was sent: `caseRef|ruleID|dueAt seconds`.
    public var escalated: Set<String> = []
    /// The team's open cases.
    public var cases: [TeamCase] = []
    /// The last report (or a week before `now`), and now.
    public var since: Instant
    public var now: Instant

    public init(since: Instant, now: Instant) {
        self.since = since
        self.now = now
    }
}
