/// Delivery of the journal outbox, as a value: one turn delivers at most a budget of rows; a larger outbox
/// goes on in later turns (one continuation at a time, whoever else delivers meanwhile), email waits until
/// the outbox is drained (so a worker's late items go in one digest), and the notifications delivered late
/// are summed up in one line once the outbox is drained. No clock, journal or store inside.
///
/// States:
/// - `idle`: the outbox is drained (as far as the last turn knew).
/// - `continuing`: rows remain; a continuation is posted.
/// - `stalled`: neither the journal nor stderr accepted anything; one retry is armed.
/// - `stopped`.
public struct DeliveryMachine: Sendable {
    private enum State: Sendable, Equatable {
        case idle
        case continuing
        case stalled
        case stopped
    }

    private var state: State = .idle
    /// Failed turns in a row (the store could not be written), for the backoff.
    public private(set) var attempt = 0
    /// Late notifications delivered since the last summary, and the earliest of their moments (seconds).
    private var late = 0
    private var firstLate: Int?

    /// Seconds to wait before trying again when nothing accepts entries.
    public static let stalledRetry = 60

    public init() {}

    /// What the daemon does once a turn of delivery has run.
    public struct TurnAction: Sendable, Equatable {
        /// Post one continuation turn on the daemon's queue.
        public var postContinuation = false
        /// Arm one retry after `stalledRetry` seconds, and say at `crit` that nothing accepts entries.
        public var retryStalled = false
        /// Log once: this many notifications were delivered late, the first planned at `firstLate`.
        public var summary: (count: Int, first: Int)?
        /// The outbox is drained: email, the timer and the status may follow.
        public var drained = false

        public init(postContinuation: Bool = false, retryStalled: Bool = false, summary: (count: Int, first: Int)? = nil, drained: Bool = false) {
            self.postContinuation = postContinuation
            self.retryStalled = retryStalled
            self.summary = summary
            self.drained = drained
        }

        public static func == (a: TurnAction, b: TurnAction) -> Bool {
            a.postContinuation == b.postContinuation && a.retryStalled == b.retryStalled && a.drained == b.drained
                && a.summary?.count == b.summary?.count && a.summary?.first == b.summary?.first
        }
    }

    /// A notification planned for `plannedAt` went out late.
    public mutating func deliveredLate(plannedAt: Int) {
        late += 1
        firstLate = min(firstLate ?? plannedAt, plannedAt)
    }

    /// A turn of delivery ended. `budgetSpent`: it stopped because it delivered all it may in one turn;
    /// `progressed`: something was delivered (or found already delivered); `stalled`: a batch found nothing
    /// accepting entries.
    public mutating func turnEnded(budgetSpent: Bool, progressed: Bool, stalled: Bool) -> TurnAction {
        switch state {
        case .stopped:
            return TurnAction()
        case .stalled where !progressed:
            // A retry is armed already.
            return TurnAction(drained: true)
        default:
            break
        }
        if stalled {
            state = .stalled
            return TurnAction(retryStalled: true, drained: true)
        }
        if budgetSpent && progressed {
            if state == .continuing { return TurnAction() }
            state = .continuing
            return TurnAction(postContinuation: true)
        }
        if state != .continuing { state = .idle }
        var action = TurnAction(drained: true)
        if late > 0, let first = firstLate {
            action.summary = (late, first)
            late = 0
            firstLate = nil
        }
        return action
    }

    /// A turn failed (the store could not be written): the next in `after` seconds (5 s doubling to a minute,
    /// as the schedule's retries), the attempt counted. Nil when stopped.
    public mutating func turnFailed() -> (after: Int, attempt: Int)? {
        guard state != .stopped else { return nil }
        attempt += 1
        state = .idle
        return (ScheduleMachine.retryDelay(attempt: attempt), attempt)
    }

    /// A turn succeeded: the attempt count starts again.
    public mutating func turnSucceeded() {
        attempt = 0
    }

    /// The posted continuation runs now. False: stopped, do nothing.
    public mutating func continuationRuns() -> Bool {
        guard state != .stopped else { return false }
        if state == .continuing { state = .idle }
        return true
    }

    /// The stalled retry runs now. False: stopped.
    public mutating func stalledRetryRuns() -> Bool {
        guard state != .stopped else { return false }
        if state == .stalled { state = .idle }
        return true
    }

    /// Rows remain to be delivered in a later turn: email waits for them.
    public var isContinuing: Bool { state == .continuing }

    public mutating func stop() { state = .stopped }
}
