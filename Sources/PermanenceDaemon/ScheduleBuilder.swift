import Dispatch
import Foundation
import PermanenceCore
import PermanenceStore

/// Evaluates cases and splits their notifications at `now`: for one case on the daemon's queue, and for
/// every open case (a whole schedule) on a queue of its own, so a large store never holds up the daemon's
/// queue (its watchdog pings, SIGTERM, deliveries). A value: it carries the evaluator, the planner and the
/// cursor it was made with.
struct ScheduleBuilder: Sendable {
    let evaluator: Evaluator
    let planner: NotificationPlanner
    /// Notifications are planned from here on.
    let cursor: Instant

    init(runtime: DaemonRuntime, cursor: Instant) {
        evaluator = runtime.evaluator
        planner = runtime.planner
        self.cursor = cursor
    }

    /// How far ahead each case's notifications are planned, in seconds.
    static let horizon = 2 * 86_400

    /// Evaluates one case and splits its notifications, planned from the cursor on, at `now`. With `catchUp`
    /// (the whole schedule built, or a case that changed), a deadline that is already past some of its
    /// notices when first seen brings the highest rung it has passed (`NotificationPlanner`); a case looked
    /// at again only because its moment came has had that done already.
    ///
    /// Notifications are planned up to a horizon two days ahead; a case with nothing in it is looked at again
    /// before the horizon passes (at a moment spread by its reference, so cases do not all wake together).
    func select(_ c: ChildCase, _ events: [CaseEvent], now t: Instant, missedBefore: Instant? = nil, catchUp: Bool) -> DueSelection {
        let evaluation = evaluator.evaluate(c, events: events)
        let horizon = t.adding(seconds: Self.horizon)
        let planned = planner.plan(evaluation, from: cursor, until: horizon, catchUp: catchUp)
        var s = DueSelection(planned: planned, now: t, missedBefore: missedBefore)
        if s.next == nil {
            let spread = Int(stableHash(c.reference) % UInt64(Self.horizon / 2))
            s.next = horizon.adding(seconds: -spread)
        }
        return s
    }

    /// A whole schedule: each open case's next moment, and what is due now.
    struct Built: Sendable {
        var next: [(ref: String, at: Instant?)] = []
        var due: [DueSelection.Item] = []
        /// The store revision the cases were read at.
        var revision = 0
        var milliseconds = 0
    }

    /// Reads every open case and evaluates them, on `queue` (never the daemon's): batches read there are
    /// evaluated on one serial queue per core while the next batch is read (serial queues, not a
    /// concurrent one: see `DaemonExecutor` for why the daemon keeps off libdispatch's global pool).
    ///
    /// `missedBefore`: at start, what fell due before it is late. `changedSince`: only these cases are caught
    /// up (nil: all of them).
    func build(store: Store, now t: Instant, missedBefore: Instant?, changedSince revision: Int?, on queue: DispatchQueue,
               completion: @escaping @Sendable (Result<Built, any Error>) -> Void)
    {
        queue.async {
            let built = Result { try self.buildHere(store: store, now: t, missedBefore: missedBefore, changedSince: revision) }
            // Every case's evaluation is gone again: what the evaluating threads freed goes back (a first start
            // on a whole authority: 80 MiB that would otherwise stay with the daemon).
            FreedMemory.giveBack()
            completion(built)
        }
    }

    private func buildHere(store: Store, now t: Instant, missedBefore: Instant?, changedSince revision: Int?) throws -> Built {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let evaluators = (0..<max(1, ProcessInfo.processInfo.activeProcessorCount)).map {
            DispatchQueue(label: "permanenced.evaluate.\($0)")
        }
        var nextEvaluator = 0
        let group = DispatchGroup()
        let inFlight = DispatchSemaphore(value: 8)
        let results = Collected()
        var batch: [(ChildCase, [CaseEvent])] = []
        let changed: Set<String>? = try revision.map { Set(try store.changedCases(since: $0).refs) }
        func dispatch(_ cases: [(ChildCase, [CaseEvent])]) {
            inFlight.wait()
            nextEvaluator = (nextEvaluator + 1) % evaluators.count
            evaluators[nextEvaluator].async(group: group) {
                let out = cases.map { c, e in
                    (c.reference, self.select(c, e, now: t, missedBefore: missedBefore, catchUp: changed?.contains(c.reference) ?? true))
                }
                results.append(out)
                inFlight.signal()
            }
        }
        let snapshot = try store.forEachOpenCase { c, events in
            batch.append((c, events))
            if batch.count == Daemon.evaluationBatch {
                dispatch(batch)
                batch = []
            }
        }
        if !batch.isEmpty { dispatch(batch) }
        group.wait()
        var built = Built(revision: snapshot)
        for part in results.parts {
            for (ref, s) in part {
                built.due += s.due
                built.next.append((ref, s.next))
            }
        }
        built.milliseconds = Int((DispatchTime.now().uptimeNanoseconds - t0) / 1_000_000)
        return built
    }
}

/// Batches evaluated on other threads, gathered under a lock.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [[(String, DueSelection)]] = []

    func append(_ part: [(String, DueSelection)]) { lock.withLock { stored.append(part) } }

    var parts: [[(String, DueSelection)]] { lock.withLock { stored } }
}
