import Dispatch
import Foundation
import Logging
import PermanenceCore
import PermanenceStore

extension Scheduler {
    /// Builds the whole schedule from the store: each open case's next instant, and everything that fell
    /// due between the cursor and `now` is queued, then delivered. At start (`starting`), that is what fell
    /// due while the daemon was down: marked late, and queued just after start-up rather than within it.
    ///
    /// Reading the store and evaluating cases overlap: batches of cases read on this queue are evaluated on
    /// other cores while the next batch is read. The evaluators are serial queues, one per core, not a
    /// concurrent queue: see `DaemonExecutor` for why the daemon keeps off libdispatch's global pool.
    ///
    /// `caughtUpTo`: at start, the revision up to which the last run caught up late deadlines; only cases
    /// changed since then can hold a deadline nobody has announced, so only they are caught up (everything,
    /// without it: a first start, or a reload whose rules may have moved every deadline).
    func rebuild(now t: Instant, starting: Bool = false, caughtUpTo: Int? = nil) throws {
        // Until the notifications this finds are queued, a retry must build again.
        needsRebuild = true
        rebuildGeneration += 1
        let generation = rebuildGeneration
        let t0 = DispatchTime.now().uptimeNanoseconds
        let evaluators = (0..<max(1, ProcessInfo.processInfo.activeProcessorCount)).map {
            DispatchQueue(label: "permanenced.evaluate.\($0)")
        }
        var nextEvaluator = 0
        let group = DispatchGroup()
        let inFlight = DispatchSemaphore(value: 8)
        let results = Collected()
        var batch: [(ChildCase, [CaseEvent])] = []
        let missedBefore = starting ? t : nil
        let changedSince: Set<String>? = try caughtUpTo.map { Set(try store.changedCases(since: $0).refs) }
        func dispatch(_ cases: [(ChildCase, [CaseEvent])]) {
            inFlight.wait()
            nextEvaluator = (nextEvaluator + 1) % evaluators.count
            evaluators[nextEvaluator].async(group: group) {
                let out = cases.map { c, e in
                    (c.reference, self.select(c, e, now: t, missedBefore: missedBefore, catchUp: changedSince?.contains(c.reference) ?? true))
                }
                results.append(out)
                inFlight.signal()
            }
        }
        let snapshotRevision = try store.forEachOpenCase { c, events in
            batch.append((c, events))
            if batch.count == 2000 {
                dispatch(batch)
                batch = []
            }
        }
        if !batch.isEmpty { dispatch(batch) }
        group.wait()
        timeline = Timeline()
        var due: [DueSelection.Item] = []
        for part in results.parts {
            for (ref, s) in part {
                due += s.due
                timeline.schedule(ref, at: s.next)
            }
        }
        logger.info("schedule built for \(timeline.count) open cases in \((DispatchTime.now().uptimeNanoseconds - t0) / 1_000_000) ms")
        guard starting else {
            try settleRebuild(due, revision: snapshotRevision, now: t)
            return try deliverAndRearm(now: t)
        }
        // At start, the backlog (all that fell due while stopped, a first start's overdue deadlines) is queued
        // and delivered right after READY=1, first thing on this queue, so a large one does not hold up
        // start-up. Until it is queued the saved cursor has not moved: a crash meanwhile finds it all again.
        let backlog = due
        queue.async { [weak self] in
            // A rebuild since (a reload, a retry) has settled a newer schedule: this one is stale.
            guard let self, !self.stopped, self.rebuildGeneration == generation else { return }
            do {
                try self.settleRebuild(backlog, revision: snapshotRevision, now: t)
            } catch {
                return self.retryLater(after: error)
            }
            self.deliverOrRetry()
        }
    }

    /// Queues what a rebuild found due; only then does the schedule count as built.
    func settleRebuild(_ due: [DueSelection.Item], revision snapshot: Int, now t: Instant) throws {
        try enqueueDue(due, revision: snapshot, now: t)
        revision = snapshot
        unsettled = []
        needsRebuild = false
    }

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

    /// How far ahead each case's notifications are planned, in seconds.
    static let horizon = 2 * 86_400

    /// The timer fired, or another process changed the store: take in the changed cases, queue and deliver
    /// what has fallen due, and re-arm the timer.
    ///
    /// Nothing moves until the due notifications are durably queued: if the store cannot be written (another
    /// process holds the write lock past the busy timeout), the revision, the cursor and the cases looked at
    /// stay as they were, and the whole step is tried again with backoff.
    func wake(reason: String) {
        guard !stopped else { return }
        let t = now()
        checkClock(now: t)
        do {
            if needsRebuild {
                try rebuild(now: t)
                retryAttempt = 0
                return
            }
            var due: [DueSelection.Item] = []
            let changed = try store.changedCases(since: revision)
            // Cases whose last attempt failed are looked at again, from the same cursor.
            var refs = unsettled
            refs.formUnion(changed.refs)
            let fresh = refs
            refs.formUnion(timeline.popDue(at: t))
            unsettled = refs
            for ref in refs.sorted() {
                if let (c, events) = try store.openCase(ref) {
                    let s = select(c, events, now: t, catchUp: fresh.contains(ref))
                    due += s.due
                    timeline.schedule(ref, at: s.next)
                } else {
                    timeline.schedule(ref, at: nil)
                }
            }
            if !refs.isEmpty { logger.debug("woke (\(reason)): \(refs.count) case(s) looked at, \(due.count) notification(s) due") }
            try enqueueDue(due, revision: max(revision, changed.revision), now: t)
            revision = max(revision, changed.revision)
            unsettled = []
            retryAttempt = 0
            try deliverAndRearm(now: t)
        } catch {
            retryLater(after: error)
        }
    }

    /// The store is busy or unreadable: try the same step again after a backoff (5 s doubling to 60 s),
    /// losing nothing meanwhile.
    func retryLater(after error: any Error) {
        retryAttempt += 1
        let delay = min(60, 5 << min(retryAttempt - 1, 4))
        logger.error("could not update the schedule (attempt \(retryAttempt)): \(error); retrying in \(delay) seconds",
                     metadata: ["message-id": "\(MessageID.scheduleRetry)"])
        retryItem?.cancel()
        let item = DispatchWorkItem { [weak self] in self?.wake(reason: "retry") }
        retryItem = item
        queue.asyncAfter(deadline: .now() + .seconds(delay), execute: item)
    }

    /// A cursor well ahead of the clock (the clock ran ahead and was set back): planning from it would send
    /// nothing until real time caught up. Start again from now; what was queued meanwhile stays queued once.
    func checkClock(now t: Instant) {
        guard cursor.seconds - t.seconds > Self.clockTolerance else { return }
        logger.warning(
            "the saved schedule position \(ruleSet.zone.iso8601(cursor)) is ahead of the clock \(ruleSet.zone.iso8601(t)); planning again from now",
            metadata: ["message-id": "\(MessageID.clockBehind)"])
        cursor = t
        needsRebuild = true
    }

    /// How far the saved cursor may be ahead of the clock before it is distrusted, in seconds.
    static let clockTolerance = 300

    /// Writes due notifications to the outbox and moves the cursor to `t` in the same transaction. Throws,
    /// moving nothing, if the store cannot be written. With nothing due, the cursor moves in memory only (the
    /// store is written only when something changed, so the daemon's own write never wakes it again).
    func enqueueDue(_ due: [DueSelection.Item], revision caughtUp: Int? = nil, now t: Instant) throws {
        let moved = max(cursor, t)
        // A catch-up already queued (every start proposes one for each open overdue deadline) is left out
        // here rather than ignored by the insert, so a restart does not rewrite what it sent long ago.
        let catchUps = due.filter(\.notification.isCatchUp).map(\.notification.key)
        let known = catchUps.isEmpty ? [] : try store.knownNotificationKeys(catchUps)
        let fresh = due.filter { !known.contains($0.notification.key) }
        if !fresh.isEmpty {
            let cover = try store.absenceCover(on: ruleSet.zone.localDate(at: t))
            let items = fresh.sorted { ($0.notification.at, $0.notification.key) < ($1.notification.at, $1.notification.key) }
                .map { outboxItem($0, cover: cover) }
            try store.enqueue(items, cursor: moved, revision: caughtUp, now: t)
        }
        cursor = moved
    }

    /// Delivers the outbox, looks at the mail, re-arms the timer and updates the status.
    func deliverAndRearm(now t: Instant) throws {
        try deliver(now: t)
        armTimer()
        // While a large outbox is still being delivered, the next turn does the rest (and counting the
        // status for each turn would cost more than delivering).
        guard !deliveryContinues else { return }
        processMail(now: t)
        armTimer()
        try publishState(now: t)
    }

    /// The outbox row for a due notification, with absence cover applied to each recipient.
    func outboxItem(_ d: DueSelection.Item, cover: AbsenceCover) -> OutboxItem {
        let n = d.notification
        let recipients = n.recipients.map { Recipient(role: $0.role, worker: $0.worker.map(cover.cover(for:))) }
        let ownerRole = rulesByID[n.ruleID]?.owner
        let owner = recipients.first { $0.role == ownerRole }?.worker
        return OutboxItem(
            key: n.key, caseRef: n.caseRef, ruleID: n.ruleID, stage: n.stage, level: n.level, dueAt: n.dueInstant,
            isExact: n.isExact, severity: n.severity, plannedAt: n.at, owner: owner, recipients: recipients, late: d.late,
            nextNoticeAt: d.nextNoticeAt)
    }

    /// The status line, as `STATUS=` and `permanenced status` show it.
    func statusLine(now t: Instant) throws -> String {
        let counts = try store.openAndOverdue(now: t)
        let pending = try store.outboxSummary().pending
        return DaemonStatus(openCases: counts.openCases, overdue: counts.overdue, next: timeline.next(), pending: pending)
            .line(zone: ruleSet.zone)
    }

    /// Tells the service manager and the store (for `permanenced status`) how things stand; writes only
    /// when something changed, so the daemon's own write never wakes it again.
    func publishState(now t: Instant) throws {
        let line = try statusLine(now: t)
        var state = [
            "state": "running", "pid": String(getpid()), "status": line,
            "next": timeline.next().map { String($0.seconds) } ?? "",
        ]
        state["journal"] = journal.destination
        guard state != lastState else { return }
        manager.status(line)
        try store.setDaemonState(state)
        lastState = state
    }

    /// Imports the inbox files that are complete, logs each file's fate, takes in the changes at once, and
    /// looks again when the next waiting file may be ready.
    func processInbox() {
        guard !stopped else { return }
        let inbox = Inbox(directory: watched.inbox)
        var ready: [String] = []
        do {
            ready = inboxTracker.ready(try inbox.entries(), now: Self.monotonic())
            if !ready.isEmpty {
                let result = try inbox.process(ready, store: store, kind: nil, now: now())
                for line in result.lines {
                    switch line.kind {
                    case .rejected: logger.warning("inbox: \(line.text)", metadata: ["message-id": "\(MessageID.importRejected)"])
                    case .retry: logger.warning("inbox: \(line.text)", metadata: ["message-id": "\(MessageID.inboxRetry)"])
                    case .partial: logger.warning("inbox: \(line.text)")
                    case .imported, .info: logger.info("inbox: \(line.text)")
                    }
                }
                let retry = Set(result.retry)
                for name in ready {
                    if retry.contains(name) { _ = inboxTracker.failed(name, now: Self.monotonic()) } else { inboxTracker.done(name) }
                }
                if result.imported > 0 { wake(reason: "inbox") }
            }
        } catch {
            // The inbox itself cannot be read or set up: nothing was moved; try these files again later.
            logger.error("inbox \(watched.inbox): \(error)", metadata: ["message-id": "\(MessageID.inboxRetry)"])
            for name in ready { _ = inboxTracker.failed(name, now: Self.monotonic()) }
        }
        if let next = inboxTracker.nextCheck { scheduleInboxCheck(at: next) }
    }
}

/// Batches evaluated on other threads, gathered under a lock.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [[(String, DueSelection)]] = []

    func append(_ part: [(String, DueSelection)]) { lock.withLock { stored.append(part) } }

    var parts: [[(String, DueSelection)]] { lock.withLock { stored } }
}
