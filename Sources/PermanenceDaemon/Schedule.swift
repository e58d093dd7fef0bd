import Dispatch
import Foundation
import Logging
import PermanenceCore
import PermanenceDaemonCore
import PermanenceStore

/// The schedule: which open case next has something due and when, the cursor (everything due before it is
/// queued) and the store revision it reflects. It runs the `ScheduleMachine`'s decisions: a step takes in
/// the cases changed since the revision and those whose moment has come, queues what is due and hands over
/// to delivery; a rebuild evaluates every open case off the daemon's queue; a failure is retried with
/// backoff; the one wake-up timer is armed at the next moment anything (a case, the mail) is due.
///
/// Touched only on the daemon's queue.
final class Schedule: @unchecked Sendable {
    let context: DaemonContext
    let delivery: JournalDelivery
    let mail: MailDelivery
    private var machine = ScheduleMachine()
    private var timeline = Timeline()
    /// Everything due before this instant has been queued.
    private(set) var cursor: Instant
    /// The store revision the schedule reflects.
    private var revision = 0
    /// Cases looked at whose notifications are not yet durably queued (the last attempt failed).
    private var unsettled: Set<String> = []
    private var timer: DispatchSourceTimer?
    private var retryItem: DispatchWorkItem?
    private var storeWatcher: DirectoryWatcher?
    private var pendingChange: DispatchWorkItem?
    private var lastState: [String: String] = [:]
    /// Builds the whole schedule, off the daemon's queue.
    private let buildQueue = DispatchQueue(label: "permanenced.build")
    /// The store's `quick_check` is running (interrupted at stop: it may take seconds on a large store).
    private var checking = false
    /// Wake-ups (the timer, the store changed, an import ended, a retry), taken one at a time by the schedule
    /// service.
    let wakes: AsyncStream<ScheduleMachine.Reason>
    private let wakeSink: AsyncStream<ScheduleMachine.Reason>.Continuation
    /// Called once, on the queue, when the first schedule is built (READY=1 follows), or with the error.
    private var onStarted: ((Result<Void, any Error>) -> Void)?

    init(context: DaemonContext, delivery: JournalDelivery, mail: MailDelivery) {
        self.context = context
        self.delivery = delivery
        self.mail = mail
        cursor = context.now()
        (wakes, wakeSink) = AsyncStream.makeStream(of: ScheduleMachine.Reason.self)
    }

    /// Asks the schedule service to wake the schedule.
    func request(_ reason: ScheduleMachine.Reason) {
        wakeSink.yield(reason)
    }

    private var runtime: DaemonRuntime { context.runtime }
    private var store: Store { context.runtime.store }
    private var logger: Logger { context.logger }

    // MARK: Start and stop

    /// Starts building the schedule from where the last run left off; `started` is called on the queue once
    /// it is built (the backlog of what fell due while the daemon was down is queued and delivered in the
    /// turns that follow), or with the error that stops the daemon from starting.
    func start(started: @escaping (Result<Void, any Error>) -> Void) {
        do {
            let t = context.now()
            cursor = try store.daemonCursor() ?? t
            checkClock(now: t)
            try delivery.settleLostInPowerFailure(now: t)
            try delivery.settleInterrupted()
            mail.started()
            try watchStore()
            onStarted = started
            rebuild(now: t, starting: true, caughtUpTo: try store.daemonRevision())
        } catch {
            started(.failure(error))
        }
    }

    /// SQLite's `quick_check` of the store, off the daemon's queue once it is up (on a large store it reads
    /// every page, which can take seconds when they are not cached): a damaged store is said at `crit`, with
    /// what to do, and in the status.
    func checkStore() {
        let store = store
        let context = context
        checking = true
        DispatchQueue(label: "permanenced.check").async { [weak self] in
            let found = Result { try store.check() }
            context.queue.async { [weak self] in
                guard let self, self.checking, !self.machine.isStopped else { return }
                self.checking = false
                switch found {
                case .success(nil):
                    context.logger.debug("store \(store.path): quick_check found no problem")
                case .success(let problems?):
                    context.logger.critical(
                        "the store \(store.path) is damaged (SQLite's quick_check: \(problems.prefix(3).joined(separator: "; "))): run permanenced check-store, and restore the store from a backup",
                        metadata: ["message-id": "\(MessageID.storeDamaged)"])
                    context.manager.status("The store is damaged: see the journal, run permanenced check-store")
                case .failure(let error):
                    context.logger.critical("the store \(store.path) could not be checked (\(error)): run permanenced check-store",
                                            metadata: ["message-id": "\(MessageID.storeDamaged)"])
                }
            }
        }
    }

    /// Saves the cursor (what falls due from here on is delivered, late, at the next start), stops the timers.
    func stop() {
        guard machine.stop() else { return }
        wakeSink.finish()
        delivery.stop()
        timer?.cancel()
        storeWatcher?.cancel()
        pendingChange?.cancel()
        retryItem?.cancel()
        _ = try? store.enqueue([], cursor: cursor, revision: machine.needsRebuild || !unsettled.isEmpty ? nil : revision, now: context.now())
        try? store.setDaemonState(["state": "stopped", "pid": ""])
        // A quick_check still reading would hold the exit until it has read every page.
        if checking {
            checking = false
            store.interrupt()
        }
    }

    /// The configuration was reloaded: another store starts from where its own daemon left off; either way
    /// the whole schedule is built again (the rules may have moved every deadline).
    func reloaded(previous: DaemonRuntime) {
        lastState = [:]
        let t = context.now()
        if previous.store.path != store.path {
            cursor = (try? store.daemonCursor()) ?? t
            revision = 0
            checkClock(now: t)
            try? delivery.settleInterrupted()
            try? watchStore()
        }
        if case .rebuild(let g) = machine.rebuildRequested() { rebuild(now: t, generation: g) }
    }

    // MARK: Waking

    /// The timer fired, another process changed the store, the inbox imported, a retry or a continuation is
    /// due: whatever the machine says.
    func wake(_ reason: ScheduleMachine.Reason) {
        let t = context.now()
        checkClock(now: t)
        switch machine.wake(reason) {
        case .none: return
        case .rebuild(let g): rebuild(now: t, generation: g)
        case .step: step(reason, now: t)
        }
    }

    /// Takes in the changed cases and those whose moment has come, queues and delivers what has fallen due,
    /// and re-arms the timer.
    ///
    /// Nothing moves until the due notifications are durably queued: if the store cannot be written (another
    /// process holds the write lock past the busy timeout, the disk is full), the revision, the cursor and
    /// the cases looked at stay as they were, and the whole step is tried again with backoff.
    private func step(_ reason: ScheduleMachine.Reason, now t: Instant) {
        do {
            var due: [DueSelection.Item] = []
            let changed = try store.changedCases(since: revision)
            // Many cases changed at once (a large import, new rules written by a command): evaluating them here
            // would hold the daemon's queue for seconds. The whole schedule is built again off the queue, the
            // changed cases caught up.
            // So do many cases whose moment came together (after a suspend, a clock stepped forward): the new
            // schedule replaces the timeline they were taken from.
            let moments = timeline.countDue(at: t)
            if changed.refs.count + unsettled.count + moments > Self.largeChange, case .rebuild(let g) = machine.rebuildRequested() {
                logger.info("\(changed.refs.count) case(s) changed and \(moments) case(s) due at once: building the whole schedule again")
                return rebuild(now: t, caughtUpTo: revision, generation: g)
            }
            // Cases whose last attempt failed are looked at again, from the same cursor.
            var refs = unsettled
            refs.formUnion(changed.refs)
            let fresh = refs
            refs.formUnion(timeline.popDue(at: t))
            unsettled = refs
            let builder = ScheduleBuilder(runtime: runtime, cursor: cursor)
            let started = DaemonContext.monotonic()
            for ref in refs.sorted() {
                if let (c, events) = try store.openCase(ref) {
                    let s = builder.select(c, events, now: t, catchUp: fresh.contains(ref))
                    due += s.due
                    timeline.schedule(ref, at: s.next)
                } else {
                    timeline.schedule(ref, at: nil)
                }
            }
            if !refs.isEmpty { logger.debug("woke (\(reason.rawValue)): \(refs.count) case(s) looked at, \(due.count) notification(s) due") }
            try enqueueDue(due, revision: max(revision, changed.revision), now: t)
            revision = max(revision, changed.revision)
            unsettled = []
            machine.stepSucceeded()
            if !refs.isEmpty { context.metrics?.evaluated(.step, cases: refs.count, seconds: DaemonContext.monotonic() - started, at: t) }
            deliverAndRearm()
        } catch {
            failed(error)
        }
    }

    /// More changed cases than this are taken in by building the whole schedule off the daemon's queue.
    static let largeChange = 2000

    /// Builds the whole schedule off the queue. At start (`starting`), what fell due while the daemon was down
    /// is marked late, and queued just after READY=1 rather than before it.
    ///
    /// `caughtUpTo`: at start, the revision up to which the last run caught up late deadlines; only cases
    /// changed since then can hold a deadline nobody has announced, so only they are caught up (everything,
    /// without it: a first start, or a reload whose rules may have moved every deadline).
    private func rebuild(now t: Instant, starting: Bool = false, caughtUpTo: Int? = nil, generation: Int? = nil) {
        let g: Int
        if let generation {
            g = generation
        } else if case .rebuild(let started) = machine.rebuildRequested() {
            g = started
        } else {
            return
        }
        let builder = ScheduleBuilder(runtime: runtime, cursor: cursor)
        builder.build(store: store, now: t, missedBefore: starting ? t : nil, changedSince: caughtUpTo, on: buildQueue) { [weak self] result in
            self?.context.queue.async { [weak self] in self?.built(result, generation: g, starting: starting, now: t) }
        }
    }

    private func built(_ result: Result<ScheduleBuilder.Built, any Error>, generation g: Int, starting: Bool, now t: Instant) {
        guard machine.built(g) == .settle else { return }
        let built: ScheduleBuilder.Built
        switch result {
        case .success(let b): built = b
        case .failure(let error):
            if let started = onStarted {
                onStarted = nil
                return started(.failure(error))
            }
            return failed(error)
        }
        timeline = Timeline()
        for (ref, at) in built.next { timeline.schedule(ref, at: at) }
        logger.info("schedule built for \(timeline.count) open cases in \(built.milliseconds) ms")
        context.metrics?.evaluated(.rebuild, cases: timeline.count, seconds: Double(built.milliseconds) / 1000, at: t)
        if let started = onStarted {
            // READY=1 now; the backlog (all that fell due while stopped, a first start's overdue deadlines) is
            // queued and delivered in the next turn. Until it is queued the saved cursor has not moved: a crash
            // meanwhile finds it all again.
            onStarted = nil
            armTimer()
            started(.success(()))
            context.queue.async { [weak self] in self?.settle(built, generation: g, now: t) }
        } else {
            settle(built, generation: g, now: t)
        }
    }

    /// Queues what a rebuild found due; only then does the schedule count as built.
    /// The outbox rows are worked out off the queue (a first start on a whole authority has hundreds of
    /// thousands to check against those already queued, to sort and to cover for absences); nothing else
    /// queues meanwhile, as the machine holds wake-ups until the rebuild is settled.
    private func settle(_ built: ScheduleBuilder.Built, generation g: Int, now t: Instant) {
        guard machine.built(g) == .settle else { return }
        let runtime = runtime
        buildQueue.async { [weak self] in
            let items = Result { try Schedule.outboxItems(built.due, runtime: runtime, now: t) }
            self?.context.queue.async { [weak self] in
                guard let self, self.machine.built(g) == .settle else { return }
                switch items {
                case .success(let items): self.queueChunks(items, from: 0, built: built, generation: g, now: t)
                case .failure(let error): self.failed(error)
                }
            }
        }
    }

    /// Rows of the outbox one turn of the queue writes at most.
    static let enqueueChunk = 5000

    /// Queues a rebuild's notifications a chunk per turn of the daemon's queue (a first start on a whole
    /// authority finds hundreds of thousands), so the watchdog, SIGTERM and the delivery of the chunks already
    /// queued go on meanwhile. The cursor and revision move with the last chunk only: a crash or a stop before
    /// then finds the rest again, and a notification already queued is not queued twice.
    private func queueChunks(_ items: [OutboxItem], from start: Int, built: ScheduleBuilder.Built, generation g: Int, now t: Instant) {
        // Shutting down: the cursor has not moved, so the next start finds the rest again.
        guard !context.shuttingDown, machine.built(g) == .settle else { return }
        let end = min(start + Self.enqueueChunk, items.count)
        do {
            if end < items.count {
                try store.enqueue(Array(items[start..<end]), cursor: nil, now: t)
                delivery.request()
                context.queue.async { [weak self] in self?.queueChunks(items, from: end, built: built, generation: g, now: t) }
                return
            }
            let moved = max(cursor, t)
            if end > start { try store.enqueue(Array(items[start..<end]), cursor: moved, revision: built.revision, now: t) }
            cursor = moved
            announceBacklog(items)
            revision = built.revision
            unsettled = []
            let again = machine.settled(g)
            deliverAndRearm()
            if again { request(.continuation) }
        } catch {
            failed(error)
        }
    }

    /// The store is busy, full or unreadable: the same step is tried again after a backoff (5 s doubling to
    /// 60 s), one line per attempt, losing nothing meanwhile.
    private func failed(_ error: any Error) {
        guard case .retry(let delay, let attempt) = machine.failed() else { return }
        logger.error("could not update the schedule (attempt \(attempt)): \(error); retrying in \(delay) seconds",
                     metadata: ["message-id": "\(MessageID.scheduleRetry)"])
        context.manager.status("Cannot update the store (attempt \(attempt), retrying in \(delay) s): \(String(describing: error).prefix(160))")
        retryItem?.cancel()
        let item = DispatchWorkItem { [weak self] in self?.request(.retry) }
        retryItem = item
        context.queue.asyncAfter(deadline: .now() + .seconds(delay), execute: item)
    }

    /// A cursor well ahead of the clock (the clock ran ahead and was set back while the daemon was down), or
    /// the wall clock stepped while it runs. Set back: planning from the old cursor would send nothing until
    /// real time caught up, so the schedule is built again from now (what was queued meanwhile stays queued
    /// once). Stepped forward: what fell due in the skipped time is announced now, once, marked late.
    private func checkClock(now t: Instant) {
        switch machine.clock(wall: Double(t.seconds), boot: DaemonContext.boottime()) {
        case .steady: break
        case .steppedForward(let s):
            logger.warning("the wall clock was stepped forward by \(Self.span(s)); what fell due in between is announced now, marked late",
                           metadata: ["message-id": "\(MessageID.clockStepped)"])
        case .steppedBack(let s):
            logger.warning("the wall clock was set back by \(Self.span(s)); planning again from \(runtime.zone.iso8601(t)) (nothing already announced is announced again)",
                           metadata: ["message-id": "\(MessageID.clockBehind)"])
            cursor = min(cursor, t)
        }
        if machine.checkCursor(cursor.seconds, now: t.seconds, tolerance: ScheduleMachine.cursorTolerance) {
            logger.warning(
                "the saved schedule position \(runtime.zone.iso8601(cursor)) is ahead of the clock \(runtime.zone.iso8601(t)); planning again from now",
                metadata: ["message-id": "\(MessageID.clockBehind)"])
            cursor = t
        }
    }

    static func span(_ seconds: Int) -> String {
        seconds >= 7200 ? "\(seconds / 3600) hours" : seconds >= 120 ? "\(seconds / 60) minutes" : "\(seconds) seconds"
    }

    // MARK: Queueing and delivering

    /// Writes due notifications to the outbox and moves the cursor to `t` in the same transaction. Throws,
    /// moving nothing, if the store cannot be written. With nothing due, the cursor moves in memory only (the
    /// store is written only when something changed, so the daemon's own write never wakes it again).
    private func enqueueDue(_ due: [DueSelection.Item], revision caughtUp: Int? = nil, now t: Instant) throws {
        let moved = max(cursor, t)
        let items = try Schedule.outboxItems(due, runtime: runtime, now: t)
        if !items.isEmpty {
            try store.enqueue(items, cursor: moved, revision: caughtUp, now: t)
            announceBacklog(items)
        }
        cursor = moved
    }

    /// The outbox rows for what is due, in due order, with absence cover applied; a catch-up already queued
    /// (every start proposes one for each open overdue deadline) is left out here rather than ignored by the
    /// insert, so a restart does not rewrite what it sent long ago. A late batch larger than
    /// `Backlog.summaryAbove` is marked as a backlog.
    private static func outboxItems(_ due: [DueSelection.Item], runtime: DaemonRuntime, now t: Instant) throws -> [OutboxItem] {
        let store = runtime.store
        let catchUps = due.filter(\.notification.isCatchUp).map(\.notification.key)
        let known = catchUps.isEmpty ? [] : try store.knownNotificationKeys(catchUps)
        let fresh = due.filter { !known.contains($0.notification.key) }
        guard !fresh.isEmpty else { return [] }
        let cover = try store.absenceCover(on: runtime.zone.localDate(at: t))
        return Backlog.mark(fresh.sorted { ($0.notification.at, $0.notification.key) < ($1.notification.at, $1.notification.key) }
            .map { outboxItem($0, cover: cover, runtime: runtime) })
    }

    /// A backlog just queued: one summary per owner in the journal (the notices follow at `info`).
    private func announceBacklog(_ items: [OutboxItem]) {
        guard items.contains(where: \.backlog) else { return }
        for entry in Backlog.summaries(items, zone: runtime.zone) { _ = runtime.journal.send(entry) }
    }

    /// The outbox row for a due notification, with absence cover applied to each recipient.
    private static func outboxItem(_ d: DueSelection.Item, cover: AbsenceCover, runtime: DaemonRuntime) -> OutboxItem {
        let n = d.notification
        let recipients = n.recipients.map { Recipient(role: $0.role, worker: $0.worker.map(cover.cover(for:))) }
        let ownerRole = runtime.rulesByID[n.ruleID]?.owner
        let owner = recipients.first { $0.role == ownerRole }?.worker
        return OutboxItem(
            key: n.key, caseRef: n.caseRef, ruleID: n.ruleID, stage: n.stage, level: n.level, dueAt: n.dueInstant,
            isExact: n.isExact, severity: n.severity, plannedAt: n.at, owner: owner, recipients: recipients, late: d.late,
            nextNoticeAt: d.nextNoticeAt)
    }

    /// Hands what was queued to delivery and re-arms the timer.
    private func deliverAndRearm() {
        delivery.request()
        armTimer()
    }

    /// Delivery has drained the outbox: email follows, the timer is re-armed, the status updated.
    func deliveryDrained(_ t: Instant) {
        guard !machine.isStopped else { return }
        mail.request(now: t)
        armTimer()
        do {
            try publishState(now: t)
        } catch {
            logger.debug("could not record the daemon's status: \(error)")
        }
    }

    /// The mail has something new to look at (a batch finished): re-arm the timer.
    func mailChanged() { armTimer() }

    // MARK: Timer and status

    /// Arms the single wake-up timer at the next instant anything is due (or disarms it), on the wall clock
    /// so it follows suspend and clock steps.
    func armTimer() {
        timer?.cancel()
        timer = nil
        let next = machine.isStopped ? nil : [timeline.next(), mail.nextMoment].compactMap({ $0 }).min()
        context.metrics?.nextWakeup(next)
        guard let next else { return }
        let t = DispatchSource.makeTimerSource(queue: context.queue)
        t.schedule(wallDeadline: DispatchWallTime(timespec: timespec(tv_sec: next.seconds, tv_nsec: 0)), leeway: .milliseconds(100))
        t.setEventHandler { [weak self] in self?.request(.timer) }
        t.resume()
        timer = t
    }

    /// The status line, as `STATUS=` and `permanenced status` show it.
    func statusLine(now t: Instant) throws -> String {
        let counts = try store.openAndOverdue(now: t)
        let pending = try store.outboxSummary().pending
        return DaemonStatus(openCases: counts.openCases, overdue: counts.overdue, next: timeline.next(), pending: pending)
            .line(zone: runtime.zone)
    }

    /// Tells the service manager and the store (for `permanenced status`) how things stand; writes only
    /// when something changed, so the daemon's own write never wakes it again.
    private func publishState(now t: Instant) throws {
        let line = try statusLine(now: t)
        var state = [
            "state": "running", "pid": String(getpid()), "status": line,
            "next": timeline.next().map { String($0.seconds) } ?? "",
        ]
        state["journal"] = runtime.journal.destination
        guard state != lastState else { return }
        context.manager.status(line)
        try store.setDaemonState(state)
        lastState = state
    }

    // MARK: Watching the store

    /// inotify on the store's directory: another process wrote.
    private func watchStore() throws {
        storeWatcher?.cancel()
        let w = try DirectoryWatcher(queue: context.queue) { [weak self] _, name, _ in self?.fileChanged(name) }
        let storeDir = (store.path as NSString).deletingLastPathComponent
        try w.watch(storeDir.isEmpty ? "." : storeDir, for: [.modified, .created, .movedIn])
        storeWatcher = w
    }

    private func fileChanged(_ name: String) {
        let storeName = (store.path as NSString).lastPathComponent
        guard name == storeName + "-wal" || name == storeName else { return }
        // Coalesce a burst of writes into one look at what changed.
        pendingChange?.cancel()
        let item = DispatchWorkItem { [weak self] in self?.request(.storeChanged) }
        pendingChange = item
        context.queue.asyncAfter(deadline: .now() + .milliseconds(150), execute: item)
    }
}
