import Foundation
import Logging
import PermanenceCore
import PermanenceDaemonCore
import PermanenceStore
import SystemdSupport

/// Delivers the outbox to the journal, running the `DeliveryMachine`'s decisions: batches, the turn budget,
/// the continuation of a large outbox, and the one "delivered late" line. Makes sure no notification is lost
/// or repeated across a crash or a power loss.
///
/// Touched only on the daemon's queue.
final class JournalDelivery: @unchecked Sendable {
    let context: DaemonContext
    let mail: MailDelivery
    private var machine = DeliveryMachine()
    /// Requests for a turn of delivery: the schedule queued something, a continuation, a retry. The delivery
    /// service takes them one at a time.
    let requests: AsyncStream<Void>
    private let requestSink: AsyncStream<Void>.Continuation
    /// Told, on the queue, when a turn leaves the outbox drained (email, the timer and the status follow).
    var drained: (Instant) -> Void = { _ in }

    init(context: DaemonContext, mail: MailDelivery) {
        self.context = context
        self.mail = mail
        (requests, requestSink) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a turn of delivery (requests while one waits are one).
    func request() {
        requestSink.yield(())
    }

    /// One turn, as the delivery service runs it: what the machine says follows (a continuation, a retry after
    /// a stall or a failure, the drained outbox's follow-up).
    func turn() {
        // Shutting down: what is not delivered stays in the outbox for the next start.
        guard !context.shuttingDown, machine.continuationRuns() else { return }
        let t = context.now()
        do {
            let action = try deliver(now: t)
            machine.turnSucceeded()
            if action.postContinuation { request() }
            if action.retryStalled {
                context.queue.asyncAfter(deadline: .now() + .seconds(DeliveryMachine.stalledRetry)) { [weak self] in
                    guard let self, self.machine.stalledRetryRuns() else { return }
                    self.request()
                }
            }
            if action.drained { drained(t) }
        } catch {
            guard let (delay, attempt) = machine.turnFailed() else { return }
            context.logger.error("could not deliver the outbox (attempt \(attempt)): \(error); retrying in \(delay) seconds",
                                 metadata: ["message-id": "\(MessageID.scheduleRetry)"])
            context.queue.asyncAfter(deadline: .now() + .seconds(delay)) { [weak self] in self?.request() }
        }
    }

    private var runtime: DaemonRuntime { context.runtime }
    private var store: Store { context.runtime.store }
    private var toJournal: Bool { runtime.journal.destination == Journal.Destination.journal.rawValue }

    /// Rows one turn of the queue delivers at most.
    static let perTurn = 2000

    /// Seconds of work after which a turn ends (at the end of its batch) and a continuation follows.
    static let turnSeconds = 0.2

    /// How long journald may hold entries before writing them to disk (its `SyncIntervalSec=` is 5 minutes),
    /// with a margin: after a power loss, deliveries this recent are looked up in the journal.
    static let journalSyncWindow = 600

    /// A row left `delivering` by a crash may or may not have reached the journal: look for it there, so
    /// it is neither lost nor sent twice. If the journal cannot be read, it is sent again.
    func settleInterrupted() throws {
        guard toJournal else { return }
        let found = try store.outbox(limit: 100_000).filter { $0.state == "delivering" }.map(\.item.key)
            .filter { JournalReader.contains(notificationKey: $0) == true }
        try store.markSent(found, at: context.now(), to: Journal.Destination.journal.rawValue)
        if !found.isEmpty { context.logger.info("\(found.count) notification(s) were delivered before a crash; not sending them again") }
    }

    /// After an unclean stop (a crash or a power loss: the last run never said it stopped), the journal may
    /// have lost the entries it had not yet written to disk, while the store (whose commits are durable) says
    /// they were delivered. Those delivered in the last minutes are looked up in the journal, and any it does
    /// not hold are delivered again, marked late. Runs before `settleInterrupted`, whose marks are made now
    /// and would move the window.
    func settleLostInPowerFailure(now t: Instant) throws {
        guard toJournal, try store.daemonState()["state"] == "running", let last = try store.lastJournalDelivery() else { return }
        let since = last.adding(seconds: -Self.journalSyncWindow)
        let claimed = try store.journalDeliveries(since: since)
        // One pass over the journal from well before the window; a key not met there is looked up on its own,
        // without a time bound (its entry may be older than its `sent` mark: a mark delayed by a locked store),
        // so nothing the journal holds is written twice.
        guard !claimed.isEmpty, let held = JournalReader.notificationKeys(since: since.seconds - Self.journalSyncWindow) else { return }
        let lost = claimed.filter { !held.contains($0) && JournalReader.contains(notificationKey: $0) == false }
        guard !lost.isEmpty else { return }
        try store.markUndelivered(lost, reason: "the journal lost its entry (permanenced stopped uncleanly)")
        context.logger.warning(
            "\(lost.count) notification(s) recorded as delivered are not in the journal (lost when the system stopped uncleanly); delivering them again",
            metadata: ["message-id": "\(MessageID.caughtUp)"])
    }

    /// Delivers the outbox in due order, a batch at a time: the batch is marked `delivering` (with its email
    /// items) in one transaction, written to the journal, then marked `sent` in another. A row already
    /// `delivering` (a crash, or a write that failed after the entry went out) is looked up in the journal
    /// first, so it is not written twice. An entry that went to stderr, which cannot be read back, is marked
    /// sent at once (and with stderr the batch is one row), so a crash repeats at most the line in hand.
    /// Email items are timed at `t`, so everything delivered together goes in the same digest.
    ///
    /// One turn delivers at most `perTurn` rows; the machine says whether a continuation follows.
    func deliver(now t: Instant) throws -> DeliveryMachine.TurnAction {
        var budget = Self.perTurn
        // A turn also ends after `turnSeconds` of work, so the queue's other work (a watchdog ping, SIGTERM,
        // a wake-up) never waits long behind a large outbox, whatever one entry costs.
        let started = DaemonContext.monotonic()
        var progressedAtAll = false
        var stalled = false
        let journal = runtime.journal
        while budget > 0 {
            let rows = try store.outbox(limit: min(1000, budget))
            if rows.isEmpty { break }
            budget -= rows.count
            var progressed = false
            let batch = toJournal ? 200 : 1
            for start in stride(from: 0, to: rows.count, by: batch) {
                let chunk = rows[start..<min(start + batch, rows.count)]
                let written = chunk.filter { $0.state == "delivering" && JournalReader.contains(notificationKey: $0.item.key) == true }
                try store.markSent(written.map(\.item.key), at: context.now(), to: Journal.Destination.journal.rawValue)
                progressed = progressed || !written.isEmpty
                let writtenKeys = Set(written.map(\.item.key))
                let items = chunk.map(\.item).filter { !writtenKeys.contains($0.key) }
                guard !items.isEmpty else { continue }
                try store.markDelivering(items.map(\.key), mailItems: items.flatMap { mail.items(for: $0, now: t) })
                var delivered: [String] = []
                for item in items {
                    let initials = runtime.ruleSet.configuration.journalShowsInitials ? try store.initials(of: item.caseRef) : nil
                    let entry = JournalEntry.notification(
                        item, title: runtime.rulesByID[item.ruleID]?.title ?? item.ruleID, initials: initials, zone: runtime.zone)
                    switch journal.send(entry) {
                    case .journal?:
                        delivered.append(item.key)
                    case .stderr?:
                        try store.markSent([item.key], at: context.now(), to: Journal.Destination.stderr.rawValue)
                        context.metrics?.delivered(.stderr, .delivered)
                        progressed = true
                    case nil:
                        try store.markFailed(item.key, error: "neither the journal nor stderr accepted the entry")
                        context.metrics?.delivered(toJournal ? .journal : .stderr, .retry)
                    }
                    if item.late { machine.deliveredLate(plannedAt: item.plannedAt.seconds) }
                }
                try store.markSent(delivered, at: context.now(), to: Journal.Destination.journal.rawValue)
                context.metrics?.delivered(.journal, .delivered, count: delivered.count)
                progressed = progressed || !delivered.isEmpty
                if DaemonContext.monotonic() - started > Self.turnSeconds {
                    budget = 0  // the rest of the rows read stay pending for the continuation
                    break
                }
            }
            progressedAtAll = progressedAtAll || progressed
            if !progressed {
                stalled = true
                break
            }
        }
        let action = machine.turnEnded(budgetSpent: budget <= 0, progressed: progressedAtAll, stalled: stalled)
        if action.retryStalled {
            context.logger.critical("notifications cannot be delivered: neither the journal nor stderr accepts entries; retrying in \(DeliveryMachine.stalledRetry) seconds")
        }
        if let (count, first) = action.summary {
            context.logger.notice(
                "delivered \(count) notification(s) late: due or overdue before permanenced could announce them (the first was planned for \(runtime.zone.humanDateTime(Instant(seconds: first))))",
                metadata: ["message-id": "\(MessageID.caughtUp)"])
        }
        return action
    }

    func stop() {
        machine.stop()
        requestSink.finish()
    }
}
