/// Email delivery's life, as a value: one batch in flight at a time, a batch in flight finished (never
/// cut) at shutdown and no other started, and the relay's state: the admin is alerted once when the relay
/// starts refusing permanenced (not once a message), and told once when it accepts again. No socket,
/// store or clock inside.
///
/// States:
/// - `idle`: no batch in flight.
/// - `sending`: a batch is with the SMTP client; its outcome comes back as `batchFinished`.
/// - `draining`: shutting down while a batch is in flight; when it finishes, nothing else starts.
/// - `stopped`.
public struct MailMachine: Sendable {
    private enum State: Sendable, Equatable {
        case idle
        case sending
        case draining
        case stopped
    }

    private var state: State = .idle
    /// Since when (and why) the relay refuses permanenced, as stored: nil while it works.
    public private(set) var relayProblem: String?

    /// `relayProblem`: the outage a previous run noted (kept in the store, so a restart does not alert again).
    public init(relayProblem: String? = nil) {
        self.relayProblem = relayProblem.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The outbox may hold something to send. True: take a batch and hand it to the client now.
    public mutating func sendRequested() -> Bool {
        guard state == .idle else { return false }
        state = .sending
        return true
    }

    /// The batch taken turned out empty: nothing is in flight.
    public mutating func nothingToSend() {
        if state == .sending { state = .idle }
    }

    /// What follows a finished batch.
    public enum BatchAction: Sendable, Equatable {
        /// Record the outcomes, then look at the outbox again.
        case recordAndLookAgain
        /// Record the outcomes; shutting down, so start nothing else.
        case recordAndStop
    }

    /// The batch in flight finished (every message has an outcome).
    public mutating func batchFinished() -> BatchAction {
        switch state {
        case .draining, .stopped:
            state = .stopped
            return .recordAndStop
        case .idle, .sending:
            state = .idle
            return .recordAndLookAgain
        }
    }

    /// What shutting down waits for.
    public enum ShutdownAction: Sendable, Equatable {
        /// Nothing in flight: stop at once.
        case stopNow
        /// Wait for the batch in flight to finish.
        case waitForBatch
    }

    public mutating func shutdown() -> ShutdownAction {
        switch state {
        case .sending, .draining:
            state = .draining
            return .waitForBatch
        case .idle, .stopped:
            state = .stopped
            return .stopNow
        }
    }

    public var isSending: Bool { state == .sending || state == .draining }

    /// Shutting down with a batch in flight.
    public var isDraining: Bool { state == .draining }

    /// What to tell the admin about the relay.
    public enum RelayAction: Sendable, Equatable {
        case none
        /// The relay started refusing: alert at `crit` once, and keep `problem` in the store.
        case alert(problem: String)
        /// The relay accepts again after refusing since `since`: say so, and clear the stored problem.
        case recovered(since: String)
    }

    /// A batch ended: `problem` (stamped with when it was seen) if the relay refused it as a whole,
    /// `delivered` if any message was accepted.
    public mutating func relay(problem: String?, delivered: Bool) -> RelayAction {
        if let problem {
            guard relayProblem == nil else { return .none }
            relayProblem = problem
            return .alert(problem: problem)
        }
        if delivered, let since = relayProblem {
            relayProblem = nil
            return .recovered(since: since)
        }
        return .none
    }

    /// Email was turned off: an outage noted while it was on no longer says anything. True if one was known.
    public mutating func emailTurnedOff() -> Bool {
        defer { relayProblem = nil }
        return relayProblem != nil
    }
}
