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
    /// made moot meanwhile (say while the daemon was down) is dropped, never announced late.
    public init(planned: [PlannedNotification], now: Instant) {
        for n in planned {
            if n.at <= now {
                if let closes = n.closesAt, closes <= now { continue }
                due.append(Item(notification: n, late: now.seconds - n.at.seconds > Self.lateAfter))
            } else if next == nil || n.at < next! {
                next = n.at
            }
        }
    }
}
