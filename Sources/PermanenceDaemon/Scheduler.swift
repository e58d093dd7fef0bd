import Dispatch
import Foundation
import Logging
import PermanenceCore
import PermanenceStore

/// The daemon's working loop. Everything it owns is touched only on `queue`, one serial Dispatch queue:
/// the wake-up timer (armed at the next instant anything is due, on the wall clock so it follows suspend
/// and clock steps), the watchdog pings (from the same queue, so a hung loop stops them), inotify on the
/// store and the inbox, and SIGHUP.
public final class Scheduler: @unchecked Sendable {
    /// Where to find things; `storePath` overrides the configuration's `[store] path`.
    public struct Settings: Sendable {
        public var configPath: String
        public var storePath: String?
        public var inboxPath: String?

        public init(configPath: String, storePath: String? = nil, inboxPath: String? = nil) {
            self.configPath = configPath
            self.storePath = storePath
            self.inboxPath = inboxPath
        }
    }

    let queue = DispatchQueue(label: "permanenced.scheduler")
    let settings: Settings
    let manager = ServiceManager()
    let now: @Sendable () -> Instant
    var logger: Logger
    var journal: Journal
    var ruleSet: RuleSet
    var store: Store
    /// This daemon's hold on the store: one daemon per store.
    var lock: StoreLock
    var evaluator: Evaluator
    var planner: NotificationPlanner
    var rulesByID: [String: Rule] = [:]
    var timeline = Timeline()
    /// Everything due before this instant has been queued.
    var cursor: Instant
    /// The store revision the schedule reflects.
    var revision = 0
    /// Cases looked at whose notifications are not yet durably queued (the last attempt failed).
    var unsettled: Set<String> = []
    /// The whole schedule must be built again (a failed build, a clock set back).
    var needsRebuild = false
    /// Consecutive failed attempts to update the schedule, for the backoff.
    var retryAttempt = 0
    var retryItem: DispatchWorkItem?
    var timer: DispatchSourceTimer?
    var watchdogTimer: DispatchSourceTimer?
    var hangup: DispatchSourceSignal?
    var watcher: DirectoryWatcher?
    /// The store and inbox paths `watcher` watches.
    var watched: (store: String, inbox: String) = ("", "")
    var pendingChange: DispatchWorkItem?
    var pendingInbox: DispatchWorkItem?
    var pendingInboxAt: Double?
    /// Which inbox files are complete, and when to try a file again.
    var inboxTracker = InboxTracker()
    var lastState: [String: String] = [:]
    var stopped = false
    /// Email delivery, when `[email] enabled`.
    var mailer: Mailer?
    var mailSending = false
    var mailTask: Task<Void, Never>?
    /// Shutting down: finish the batch in flight, start no other.
    var mailDraining = false
    /// The next moment the mail outbox needs a look (an item to compose, a message to retry).
    var nextMail: Instant?
    /// Late notifications delivered since the last summary line, and the earliest of their moments.
    var lateDelivered = 0
    var firstLate: Instant?
    /// Delivery of a large outbox goes on in the next turn of the queue; email waits for it to finish, so a
    /// worker's late items go in one digest.
    var deliveryContinues = false
    var continuationPosted = false
    /// Counts rebuilds, so the start-up backlog block of a rebuild that another has replaced does nothing.
    var rebuildGeneration = 0

    /// Loads the configuration and opens the store; throws a message naming the file on any problem.
    public init(settings: Settings, logger: Logger, now: @escaping @Sendable () -> Instant = Scheduler.systemNow) throws {
        self.settings = settings
        self.now = now
        self.logger = logger
        let (set, _) = try ConfigLoader.load(settings.configPath)
        for w in set.warnings { logger.warning("configuration: \(w)") }
        ruleSet = set
        journal = Journal(target: set.configuration.journalTarget)
        let path = settings.storePath ?? set.configuration.storePath
        lock = try StoreLock(storePath: path)
        store = try Store(path: path, ruleSet: set, actor: AuditActor.service())
        evaluator = Evaluator(ruleSet: set)
        planner = NotificationPlanner(ruleSet: set)
        mailer = set.configuration.email.enabled ? try Mailer(ruleSet: set, configPath: settings.configPath) : nil
        cursor = now()
        indexRules()
    }

    /// The system clock.
    @Sendable public static func systemNow() -> Instant { Instant(seconds: Int(Date().timeIntervalSince1970)) }

    var inboxPath: String { settings.inboxPath ?? ruleSet.configuration.inboxPath }

    func indexRules() {
        rulesByID = Dictionary(ruleSet.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Builds the schedule, delivers what fell due while the daemon was down, starts the timers and
    /// watchers, and tells the service manager it is ready. Throws if the store cannot be read.
    public func start() throws {
        try queue.sync {
            let t = now()
            cursor = try store.daemonCursor() ?? t
            checkClock(now: t)
            try settleInterrupted()
            if try store.requeueInterruptedMail() > 0 {
                logger.notice("email: messages interrupted by a crash are sent again (a message the relay had already accepted may arrive twice)")
            }
            forgetRelayProblemIfNoMail()
            try rebuild(now: t, starting: true, caughtUpTo: try store.daemonRevision())
            try startWatching()
            // After the backlog (queued just before): an import then meets a settled schedule.
            queue.async { [weak self] in self?.processInbox() }
            startWatchdog()
            installHangupHandler()
            let status = try statusLine(now: now())
            logger.info("permanenced started: \(status)", metadata: [
                "message-id": "\(MessageID.started)", "store": "\(store.path)", "journal": "\(journal.destination)",
            ])
            manager.ready(status: status)
        }
    }

    /// Finishes the work in hand, then stops timers and watchers and tells the service manager.
    public func stop() {
        queue.sync {
            guard !stopped else { return }
            stopped = true
            manager.stopping()
            [timer, watchdogTimer].forEach { $0?.cancel() }
            hangup?.cancel()
            watcher?.cancel()
            pendingChange?.cancel()
            pendingInbox?.cancel()
            retryItem?.cancel()
            // Keep the cursor: what falls due from here on is delivered, late, at the next start.
            _ = try? store.enqueue([], cursor: cursor, revision: needsRebuild || !unsettled.isEmpty ? nil : revision, now: now())
            try? store.setDaemonState(["state": "stopped", "pid": ""])
            logger.info("permanenced stopping", metadata: ["message-id": "\(MessageID.stopping)"])
        }
    }

    /// Runs `body` on the scheduler's queue and waits (for tests and the benchmark).
    public func sync<T>(_ body: () throws -> T) rethrows -> T { try queue.sync(execute: body) }

    // MARK: Timers

    /// Arms the single wake-up timer at the next instant anything is due (or disarms it).
    func armTimer() {
        timer?.cancel()
        timer = nil
        guard !stopped, let next = [timeline.next(), nextMail].compactMap({ $0 }).min() else { return }
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(wallDeadline: DispatchWallTime(timespec: timespec(tv_sec: next.seconds, tv_nsec: 0)), leeway: .milliseconds(100))
        t.setEventHandler { [weak self] in self?.wake(reason: "timer") }
        t.resume()
        timer = t
    }

    /// Pings the watchdog at half `WATCHDOG_USEC`, from this queue.
    func startWatchdog() {
        guard let interval = manager.watchdogPingInterval() else { return }
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(Int(interval * 50)))
        t.setEventHandler { [weak self] in self?.manager.watchdog() }
        t.resume()
        watchdogTimer = t
    }

    func installHangupHandler() {
        signal(SIGHUP, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        s.setEventHandler { [weak self] in self?.reload() }
        s.resume()
        hangup = s
    }

    // MARK: Watching the store and the inbox

    func startWatching() throws {
        watcher = try makeWatcher(storePath: store.path, inboxPath: inboxPath)
        watched = (store.path, inboxPath)
    }

    /// inotify on the store's directory (another process wrote) and the inbox (a file arrived), creating the
    /// inbox if need be.
    func makeWatcher(storePath: String, inboxPath: String) throws -> DirectoryWatcher {
        let w = try DirectoryWatcher(queue: queue) { [weak self] dir, name, what in self?.fileChanged(dir, name, what) }
        let storeDir = (storePath as NSString).deletingLastPathComponent
        try w.watch(storeDir.isEmpty ? "." : storeDir, for: [.modified, .created, .movedIn])
        try OwnedFiles.create(inboxPath, ownerOf: storeDir.isEmpty ? "." : storeDir)
        try w.watch(inboxPath, for: [.closedAfterWriting, .movedIn, .modified, .created])
        return w
    }

    func fileChanged(_ dir: String, _ name: String, _ what: DirectoryWatcher.Mask) {
        let storeName = (store.path as NSString).lastPathComponent
        if name == storeName + "-wal" || name == storeName {
            // Another process wrote: coalesce a burst of writes into one look at what changed.
            pendingChange?.cancel()
            let item = DispatchWorkItem { [weak self] in self?.wake(reason: "store changed") }
            pendingChange = item
            queue.asyncAfter(deadline: .now() + .milliseconds(150), execute: item)
        } else if dir == watched.inbox, !name.hasPrefix(".") {
            // Only this file is news: a rename in is complete at once, a file closed after writing once it
            // has stayed unchanged for a moment. Others still being written are left alone.
            let t = Self.monotonic()
            if what.contains(.modified) || what.contains(.created) {
                inboxTracker.written(name, now: t)
                return
            }
            if let entry = Inbox(directory: dir).entry(name) {
                if what.contains(.movedIn) { inboxTracker.movedIn(entry, now: t) } else { inboxTracker.closed(entry, now: t) }
            }
            scheduleInboxCheck(at: t + (what.contains(.movedIn) ? 0.3 : inboxTracker.settle))
        }
    }

    /// Looks at the inbox again at `at` (monotonic seconds), unless a look is already due sooner.
    func scheduleInboxCheck(at: Double) {
        if let pending = pendingInboxAt, pending <= at, pendingInbox != nil { return }
        pendingInbox?.cancel()
        let item = DispatchWorkItem { [weak self] in
            self?.pendingInbox = nil
            self?.pendingInboxAt = nil
            self?.processInbox()
        }
        pendingInbox = item
        pendingInboxAt = at
        queue.asyncAfter(deadline: .now() + max(0, at - Self.monotonic()), execute: item)
    }

    /// Seconds on the monotonic clock.
    static func monotonic() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
