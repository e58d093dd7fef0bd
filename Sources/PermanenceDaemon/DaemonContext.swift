import Dispatch
import Foundation
import Logging
import PermanenceCore
import PermanenceMetrics
import PermanenceStore
import Synchronization
import SystemdSupport

/// What the daemon's parts share: the one serial queue they all run on (the `DaemonExecutor`'s, so the
/// ServiceGroup's tasks and the Dispatch timers and inotify sources take turns, and nothing needs a lock),
/// the runtime in force, the log, the service manager and the clocks.
///
/// Everything mutable here is touched only on `queue`.
final class DaemonContext: @unchecked Sendable {
    let queue: DispatchQueue
    let settings: Daemon.Settings
    let logger: Logger
    let manager = ServiceManager()
    /// The wall clock (an argument, so a test can pass its own).
    let now: @Sendable () -> Instant
    /// The configuration in force; replaced whole by a reload.
    var runtime: DaemonRuntime {
        didSet { storeForReaders.withLock { $0 = runtime.store } }
    }
    /// The store in force, for readers off the queue (a metrics scrape), which never wait for the queue.
    private let storeForReaders: Mutex<Store>
    var currentStore: Store { storeForReaders.withLock { $0 } }
    /// SIGTERM (or SIGINT) came: the services are being shut down, one after another. Work that would go on
    /// by itself (a large outbox's delivery turns, a backlog's queueing) stops at once rather than when its
    /// own service's turn to stop comes: each step of the shutdown would wait behind it.
    var shuttingDown = false
    /// The figures served at `/metrics`, when `[metrics] listen` is set (nil otherwise: nothing counts).
    let metrics: ServiceMetrics?

    init(queue: DispatchQueue, settings: Daemon.Settings, runtime: DaemonRuntime, logger: Logger, metrics: ServiceMetrics? = nil,
         now: @escaping @Sendable () -> Instant) {
        self.queue = queue
        self.settings = settings
        self.runtime = runtime
        storeForReaders = Mutex(runtime.store)
        self.logger = logger
        self.metrics = metrics
        self.now = now
    }

    /// Runs `body` on the queue and returns its result, suspending (never blocking) the caller.
    func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            queue.async { c.resume(with: Result { try body() }) }
        }
    }

    /// Seconds on the monotonic clock (stops during suspend): for debouncing and retries.
    static func monotonic() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Seconds on the boot clock (runs through suspend, never stepped): to tell a step of the wall clock.
    static func boottime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_BOOTTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
