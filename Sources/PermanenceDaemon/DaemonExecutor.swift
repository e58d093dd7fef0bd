import Dispatch

/// Runs the daemon's Swift concurrency work (the `ServiceGroup`, its services and signal handling) on one
/// serial Dispatch queue instead of the global concurrent pool.
///
/// On Linux, the first job that runs on one of libdispatch's global (non-overcommit) queues starts its
/// thread-pool monitor, a timer on the manager thread that fires every second for the life of the process.
/// A daemon that must sleep while nothing is due keeps all its work on serial queues, which do not start it.
public final class DaemonExecutor: TaskExecutor, @unchecked Sendable {
    /// The executor every task of `permanenced run` prefers.
    public static let shared = DaemonExecutor()

    let queue = DispatchQueue(label: "permanenced.tasks")

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
