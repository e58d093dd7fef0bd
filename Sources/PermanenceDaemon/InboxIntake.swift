import Dispatch
import Foundation
import Logging
import PermanenceCore
import PermanenceDaemonCore
import PermanenceStore
import Synchronization

/// The inbox: files dropped in it are imported once complete (the `InboxTracker` decides when), then moved
/// to `processed/` or `rejected/`. An import runs on a queue of its own, through a store connection of its
/// own, so a large file never holds up the daemon's queue: its watchdog pings, deliveries and SIGTERM go on
/// meanwhile (the daemon's own writes wait at most its short busy timeout for the import's, then retry).
/// At shutdown an import in hand is interrupted and rolled back; its files stay in the inbox for the next
/// start.
///
/// Touched only on the daemon's queue (the import itself only on `importQueue`).
final class InboxIntake: @unchecked Sendable {
    let context: DaemonContext
    /// Told when an import has ended (it may have changed the store, and its write lock is released).
    var imported: () -> Void = {}
    private var tracker = InboxTracker()
    private var watcher: DirectoryWatcher?
    private var directory = ""
    private var pending: DispatchWorkItem?
    private var pendingAt: Double?
    private let importQueue = DispatchQueue(label: "permanenced.import")
    /// The import in hand, to interrupt it at shutdown.
    private var importing: ImportHandle?
    private var stopped = false
    /// Resumed when the import in hand has ended, at shutdown.
    private var drained: CheckedContinuation<Void, Never>?

    init(context: DaemonContext) {
        self.context = context
    }

    private var logger: Logger { context.logger }

    /// Watches the inbox in force (creating it if need be) and looks at what is already there. After a reload
    /// that moved it, watches the new one; the same one is left as it is.
    func watch() throws {
        let path = context.runtime.inboxPath
        guard path != directory || watcher == nil else { return }
        let storeDir = (context.runtime.store.path as NSString).deletingLastPathComponent
        try OwnedFiles.create(path, ownerOf: storeDir.isEmpty ? "." : storeDir)
        let w = try DirectoryWatcher(queue: context.queue) { [weak self] dir, name, what in self?.fileChanged(dir, name, what) }
        try w.watch(path, for: [.closedAfterWriting, .movedIn, .modified, .created])
        let moved = watcher != nil
        watcher?.cancel()
        watcher = w
        directory = path
        tracker = InboxTracker()
        if moved { logger.info("now watching the inbox \(path)") }
        process()
    }

    private func fileChanged(_ dir: String, _ name: String, _ what: DirectoryWatcher.Mask) {
        guard dir == directory, !name.hasPrefix(".") else { return }
        // Only this file is news: a rename in is complete at once, a file closed after writing once it has
        // stayed unchanged for a moment. Others still being written are left alone.
        let t = DaemonContext.monotonic()
        if what.contains(.modified) || what.contains(.created) {
            tracker.written(name, now: t)
            return
        }
        if let entry = Inbox(directory: dir).entry(name) {
            if what.contains(.movedIn) { tracker.movedIn(entry, now: t) } else { tracker.closed(entry, now: t) }
        }
        lookAgain(at: t + (what.contains(.movedIn) ? 0.3 : tracker.settle))
    }

    /// Looks at the inbox again at `at` (monotonic seconds), unless a look is already due sooner.
    private func lookAgain(at: Double) {
        if let pendingAt, pendingAt <= at, pending != nil { return }
        pending?.cancel()
        let item = DispatchWorkItem { [weak self] in
            self?.pending = nil
            self?.pendingAt = nil
            self?.process()
        }
        pending = item
        pendingAt = at
        context.queue.asyncAfter(deadline: .now() + max(0, at - DaemonContext.monotonic()), execute: item)
    }

    /// Imports the inbox files that are complete, on the import queue; one import at a time (a look while
    /// one runs comes again when it ends).
    func process() {
        guard !stopped, importing == nil else { return }
        let inbox = Inbox(directory: directory)
        var ready: [String] = []
        do {
            try inbox.checkFolders()
            ready = tracker.ready(try inbox.entries(), now: DaemonContext.monotonic())
        } catch {
            // The inbox itself cannot be read or set up: nothing was moved; try these files again later.
            logger.error("inbox \(directory): \(error)", metadata: ["message-id": "\(MessageID.inboxRetry)"])
            for name in ready { _ = tracker.failed(name, now: DaemonContext.monotonic()) }
            if let next = tracker.nextCheck { lookAgain(at: next) }
            return
        }
        guard !ready.isEmpty else {
            if let next = tracker.nextCheck { lookAgain(at: next) }
            return
        }
        let runtime = context.runtime
        let handle = ImportHandle()
        importing = handle
        let now = context.now()
        let files = ready
        let queue = context.queue
        importQueue.async { [weak self] in
            // A connection of its own, opened here, off the daemon's queue (opening may wait for another
            // process's write lock): the daemon's store waits for nobody but SQLite. Its commits are durable: a
            // file is moved to processed/ only once its rows are on disk.
            let result = Result {
                let store = try Store(path: runtime.store.path, ruleSet: runtime.ruleSet, recomputing: false, actor: AuditActor.service(),
                                      durable: true, auditHeads: runtime.store.auditHeads)
                handle.started(store)
                return try inbox.process(files, store: store, kind: nil, now: now)
            }
            queue.async { [weak self] in self?.finished(result, files) }
        }
    }

    /// Logs each file's fate, takes in the changes at once, and looks again when the next waiting file may
    /// be ready.
    private func finished(_ outcome: Result<Inbox.Result, any Error>, _ ready: [String]) {
        importing = nil
        switch outcome {
        case .success(let result):
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
                if retry.contains(name) { _ = tracker.failed(name, now: DaemonContext.monotonic()) } else { tracker.done(name) }
            }
        case .failure(let error):
            logger.error("inbox \(directory): \(error)", metadata: ["message-id": "\(MessageID.inboxRetry)"])
            for name in ready { _ = tracker.failed(name, now: DaemonContext.monotonic()) }
        }
        if stopped {
            drained?.resume()
            drained = nil
            return
        }
        // The import's write lock is released: the schedule takes in what changed, or retries a write the
        // import held up.
        imported()
        // Files that arrived meanwhile (or an inbox a reload moved to) are looked at now.
        process()
    }

    /// Shutting down: interrupts the import in hand (rolled back; its files stay in the inbox) and waits for
    /// it to end. Suspends the caller; never blocks the queue.
    func stop() async {
        let queue = context.queue
        let handle: ImportHandle? = await withCheckedContinuation { (c: CheckedContinuation<ImportHandle?, Never>) in
            queue.async {
                self.stopped = true
                self.pending?.cancel()
                self.watcher?.cancel()
                c.resume(returning: self.importing)
            }
        }
        guard let handle else { return }
        logger.notice("stopping: the import in hand is interrupted and rolled back; its files stay in the inbox for the next start")
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            queue.async {
                guard self.importing != nil else { return c.resume() }
                self.drained = c
                self.interrupt(handle)
            }
        }
    }

    /// SQLite interrupts only a statement that is running: ask until the import has ended.
    private func interrupt(_ handle: ImportHandle) {
        guard importing != nil else { return }
        handle.interrupt()
        context.queue.asyncAfter(deadline: .now() + .milliseconds(50)) { [weak self] in self?.interrupt(handle) }
    }
}

/// The import in hand: its store connection once opened (on the import queue), so shutdown can interrupt it
/// from the daemon's queue.
final class ImportHandle: Sendable {
    private let state = Mutex<(store: Store?, interrupted: Bool)>((nil, false))

    /// The import's connection is open: interrupted already, it stops at once.
    func started(_ store: Store) {
        let interrupted = state.withLock { s in
            s.store = store
            return s.interrupted
        }
        if interrupted { store.interrupt() }
    }

    func interrupt() {
        let store = state.withLock { s in
            s.interrupted = true
            return s.store
        }
        store?.interrupt()
    }
}
