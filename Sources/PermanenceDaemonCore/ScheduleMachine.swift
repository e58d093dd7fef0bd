/// The schedule's life, as a value: when to take in changes and queue what fell due (a step), when the whole
/// schedule must be built again, how a failed step is retried, which rebuild is current, and whether the
/// wall clock was stepped. No clock, file or queue inside: times are arguments, and every event returns what
/// the daemon must do.
///
/// States:
/// - `idle`: the schedule is current; any wake-up (timer, store changed, inbox, continuation) runs a step.
/// - `rebuilding(generation, woken)`: the whole schedule is being built (off the daemon's queue) and its
///   notifications queued. Wake-ups wait for it (`woken`), and one step follows when it settles.
/// - `waitingToRetry`: a step failed (the store busy, full or unreadable); the retry, armed
///   `retryDelay(attempt)` after the failure, runs the next step, or sooner the end of the daemon's own
///   inbox import (whose write lock is the likeliest reason). Other wake-ups are absorbed, because the
///   retry takes in everything they would have (a failing write pokes the store's WAL, and each of those
///   wake-ups used to fail and log again several times a second).
/// - `stopped`: shutting down; nothing runs.
public struct ScheduleMachine: Sendable {
    /// Why the daemon woke.
    public enum Reason: String, Sendable, Equatable {
        /// The wake-up timer: something is due.
        case timer
        /// Another process wrote to the store.
        case storeChanged = "store changed"
        /// An inbox import changed the store.
        case inbox
        /// The retry after a failed step.
        case retry
        /// A large outbox goes on being delivered.
        case continuation
        /// The configuration was reloaded.
        case reload
    }

    /// What the daemon does for a wake-up.
    public enum WakeAction: Sendable, Equatable {
        /// Nothing (stopped, a rebuild in hand, or a retry armed that will do it).
        case none
        /// Take in changed cases and queue what is due.
        case step
        /// Build the whole schedule again (numbered `generation`), then queue what is due.
        case rebuild(generation: Int)
    }

    /// What the daemon does after a step or a rebuild failed.
    public enum FailureAction: Sendable, Equatable {
        case none
        /// Log one line naming the attempt, and arm the retry `after` seconds from now.
        case retry(after: Int, attempt: Int)
    }

    /// What the daemon does when a rebuild's result comes back.
    public enum BuiltAction: Sendable, Equatable {
        /// Another rebuild has replaced it, or the daemon is stopping: drop it.
        case drop
        /// Install the schedule and queue what it found due.
        case settle
    }

    private enum State: Sendable, Equatable {
        case idle
        case rebuilding(generation: Int, woken: Bool)
        case waitingToRetry
        case stopped
    }

    private var state: State = .idle
    /// Failed attempts in a row.
    public private(set) var attempt = 0
    /// The whole schedule must be built again (a failed build, a clock set back, a reload).
    public private(set) var needsRebuild = false
    /// Counts rebuilds, so the result of one that another has since replaced is dropped.
    public private(set) var generation = 0
    /// `wall - boot` when last seen: constant while nobody steps the wall clock (both run through suspend).
    private var clockOffset: Double?

    /// Seconds the first retry waits; each further attempt doubles it, up to `retryCeiling`.
    public static let firstRetry = 5
    public static let retryCeiling = 60
    /// How far the wall clock may move against the boot clock before it counts as stepped, in seconds.
    public static let clockStepTolerance = 60.0

    public init() {}

    public var isStopped: Bool { state == .stopped }

    /// A rebuild is in hand (its schedule not yet settled).
    public var isRebuilding: Bool {
        if case .rebuilding = state { return true }
        return false
    }

    /// The delay before retry number `attempt` (1-based): 5 s, doubling, capped at `retryCeiling`.
    public static func retryDelay(attempt: Int) -> Int {
        min(retryCeiling, firstRetry << min(max(attempt - 1, 0), 16))
    }

    /// Something happened that may make a step worthwhile.
    public mutating func wake(_ reason: Reason) -> WakeAction {
        switch state {
        case .stopped:
            return .none
        case .rebuilding(let g, _):
            state = .rebuilding(generation: g, woken: true)
            return .none
        case .waitingToRetry where reason != .retry && reason != .inbox:
            return .none
        case .waitingToRetry, .idle:
            return needsRebuild ? startRebuild() : .step
        }
    }

    /// The whole schedule must be built again (new rules, another store, a clock set back): at once, replacing
    /// any rebuild in hand.
    public mutating func rebuildRequested() -> WakeAction {
        guard state != .stopped else { return .none }
        needsRebuild = true
        return startRebuild()
    }

    private mutating func startRebuild() -> WakeAction {
        needsRebuild = true
        generation += 1
        state = .rebuilding(generation: generation, woken: false)
        return .rebuild(generation: generation)
    }

    /// The rebuild numbered `generation` has read and evaluated every case.
    public mutating func built(_ generation: Int) -> BuiltAction {
        guard case .rebuilding(let g, _) = state, g == generation else { return .drop }
        return .settle
    }

    /// The rebuild's notifications are durably queued: the schedule is current. True if a wake-up came
    /// meanwhile, so a step should follow.
    public mutating func settled(_ generation: Int) -> Bool {
        guard case .rebuilding(let g, let woken) = state, g == generation else { return false }
        needsRebuild = false
        attempt = 0
        state = .idle
        return woken
    }

    /// A step completed: back to idle, the attempt count reset.
    public mutating func stepSucceeded() {
        guard state == .waitingToRetry || state == .idle else { return }
        attempt = 0
        state = .idle
    }

    /// A step or rebuild failed: retry with backoff, counting the attempt. A failed rebuild is built again.
    public mutating func failed() -> FailureAction {
        if case .rebuilding = state { needsRebuild = true }
        guard state != .stopped else { return .none }
        attempt += 1
        state = .waitingToRetry
        return .retry(after: Self.retryDelay(attempt: attempt), attempt: attempt)
    }

    /// Shutting down. Returns false if it already was.
    public mutating func stop() -> Bool {
        guard state != .stopped else { return false }
        state = .stopped
        return true
    }

    /// What a look at the clocks found.
    public enum ClockAction: Sendable, Equatable {
        case steady
        /// The wall clock jumped ahead by this many seconds more than time passed.
        case steppedForward(seconds: Int)
        /// The wall clock was set back by this many seconds: the schedule is built again from now.
        case steppedBack(seconds: Int)
    }

    /// Compares the wall clock with the boot clock (which runs through suspend and is never stepped): a
    /// change in their difference is a step of the wall clock. A step back requires a rebuild.
    public mutating func clock(wall: Double, boot: Double) -> ClockAction {
        let offset = wall - boot
        defer { clockOffset = offset }
        guard let last = clockOffset else { return .steady }
        let moved = offset - last
        if moved > Self.clockStepTolerance { return .steppedForward(seconds: Int(moved.rounded())) }
        if moved < -Self.clockStepTolerance {
            needsRebuild = true
            return .steppedBack(seconds: Int((-moved).rounded()))
        }
        return .steady
    }

    /// A cursor saved more than `tolerance` seconds ahead of the clock (the clock ran ahead and was set back
    /// while the daemon was down): it cannot be trusted, and the schedule is built again from now.
    public mutating func checkCursor(_ cursor: Int, now: Int, tolerance: Int = 300) -> Bool {
        guard cursor - now > tolerance else { return false }
        needsRebuild = true
        return true
    }

    /// Whether the saved schedule position must be distrusted: the daemon's rule (see `checkCursor`).
    public static let cursorTolerance = 300
}
