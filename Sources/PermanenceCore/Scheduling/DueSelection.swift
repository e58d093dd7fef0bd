/// What to send now for one case, and when it next has something to send.
public struct DueSelection: Sendable {
    /// Notifications to queue now, in due order.
    public var due: [Item] = []
    /// The next instant after `now` at which the case has something to send.
    public var next: Instant?

    /// A notification to queue; `late` when it is being sent well after its moment (the daemon was down).
    public struct Item: Sendable {
        public let notification: PlannedNotification
        public let late: Bool
        /// When the deadline's next notice is planned (the next rung after an escalation), if the plan holds
        /// one: an email waiting for quiet hours to end never goes after it.
        public var nextNoticeAt: Instant? = nil
    }

    /// How long after its moment a notification counts as late.
    public static let lateAfter = 60

    public init(due: [Item] = [], next: Instant? = nil) {
        self.due = due
        self.next = next
    }

    /// Splits a case's planned notifications (planned from the daemon's cursor on) at `now`.
    ///
    /// A notification whose moment has come is sent only if its deadline is still open at `now`: one met or
    /// made moot meanwhile (say while the daemon was down) is dropped, never announced late. It is late if
    /// its moment came before `missedBefore` (when the daemon starts: everything that fell due while it was
    /// down) or more than `lateAfter` seconds ago.
    public init(planned: [PlannedNotification], now: Instant, missedBefore: Instant? = nil) {
        // Each deadline's notices after `now`, earliest first.
        var later: [String: Instant] = [:]
        for n in planned where n.at > now && n.closesAt.map({ $0 > n.at }) ?? true {
            later[n.deadlineKey] = min(later[n.deadlineKey] ?? n.at, n.at)
        }
        for n in planned {
            if n.at <= now {
                if let closes = n.closesAt, closes <= now { continue }
                let late = n.isCatchUp || now.seconds - n.at.seconds > Self.lateAfter || (missedBefore.map { n.at < $0 } ?? false)
                due.append(Item(notification: n, late: late, nextNoticeAt: later[n.deadlineKey]))
            } else if next == nil || n.at < next! {
                next = n.at
            }
        }
    }
}
