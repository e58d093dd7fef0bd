import Foundation
import Logging
import PermanenceCore
import PermanenceStore

extension Scheduler {
    /// Builds the whole schedule from the store: each open case's next instant, and everything that fell
    /// due between the cursor and `now` is queued, then delivered. At start (`starting`), that is what fell
    /// due while the daemon was down: marked late.
    func rebuild(now t: Instant, starting: Bool = false) throws {
        timeline = Timeline()
        var due: [DueSelection.Item] = []
        revision = try store.forEachOpenCase { c, events in
            let s = select(c, events, now: t, missedBefore: starting ? t : nil)
            due += s.due
            timeline.schedule(c.reference, at: s.next)
        }
        try queueAndDeliver(due, now: t)
    }

    /// Evaluates one case and splits its notifications, planned from the cursor on, at `now`.
    func select(_ c: ChildCase, _ events: [CaseEvent], now t: Instant, missedBefore: Instant? = nil) -> DueSelection {
        let evaluation = evaluator.evaluate(c, events: events)
        return DueSelection(planned: planner.plan(evaluation, from: cursor, until: .distantFuture), now: t, missedBefore: missedBefore)
    }

    /// The timer fired, or another process changed the store: take in the changed cases, queue and deliver
    /// what has fallen due, and re-arm the timer.
    func wake(reason: String) {
        guard !stopped else { return }
        let t = now()
        do {
            var due: [DueSelection.Item] = []
            let changed = try store.changedCases(since: revision)
            var refs = Set(changed.refs)
            revision = changed.revision
            refs.formUnion(timeline.popDue(at: t))
            for ref in refs.sorted() {
                if let (c, events) = try store.openCase(ref) {
                    let s = select(c, events, now: t)
                    due += s.due
                    timeline.schedule(ref, at: s.next)
                } else {
                    timeline.schedule(ref, at: nil)
                }
            }
            if !refs.isEmpty { logger.debug("woke (\(reason)): \(refs.count) case(s) looked at, \(due.count) notification(s) due") }
            try queueAndDeliver(due, now: t)
        } catch {
            // The store is busy or unreadable: try again shortly rather than lose anything.
            logger.error("could not update the schedule: \(error); retrying in 30 seconds")
            queue.asyncAfter(deadline: .now() + 30) { [weak self] in self?.wake(reason: "retry") }
        }
    }

    /// Writes due notifications to the outbox (moving the cursor in the same transaction), delivers the
    /// outbox, re-arms the timer and updates the status.
    func queueAndDeliver(_ due: [DueSelection.Item], now t: Instant) throws {
        if !due.isEmpty {
            let items = try due.sorted { ($0.notification.at, $0.notification.key) < ($1.notification.at, $1.notification.key) }
                .map { try outboxItem($0, now: t) }
            try store.enqueue(items, cursor: t, now: t)
        }
        cursor = max(cursor, t)
        try deliver()
        armTimer()
        try publishState(now: t)
    }

    /// The outbox row for a due notification, with absence cover applied to each recipient.
    func outboxItem(_ d: DueSelection.Item, now t: Instant) throws -> OutboxItem {
        let n = d.notification
        let today = ruleSet.zone.localDate(at: t)
        var recipients: [Recipient] = []
        for r in n.recipients {
            recipients.append(Recipient(role: r.role, worker: try r.worker.map { try store.cover(for: $0, on: today) }))
        }
        let ownerRole = rulesByID[n.ruleID]?.owner
        let owner = recipients.first { $0.role == ownerRole }?.worker
        return OutboxItem(
            key: n.key, caseRef: n.caseRef, ruleID: n.ruleID, stage: n.stage, level: n.level, dueAt: n.dueInstant,
            isExact: n.isExact, severity: n.severity, plannedAt: n.at, owner: owner, recipients: recipients, late: d.late)
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

    /// Imports whatever is in the inbox, logs each file's fate, and takes in the changes at once.
    func processInbox() {
        guard !stopped else { return }
        do {
            let result = try Inbox(directory: inboxPath).processOnce(store: store, kind: nil, now: now())
            guard result.imported + result.rejected > 0 else { return }
            for line in result.lines {
                if line.contains("rejected") {
                    logger.warning("inbox: \(line)", metadata: ["message-id": "\(MessageID.importRejected)"])
                } else {
                    logger.info("inbox: \(line)")
                }
            }
            wake(reason: "inbox")
        } catch {
            logger.error("inbox \(inboxPath): \(error)")
        }
    }
}
