import Dispatch
import Synchronization

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

    /// Runs `body` in a task that prefers this executor, and blocks the calling thread (a command's
    /// synchronous `run`) until it returns or throws.
    public func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: self) {
            do {
                let value = try await body()
                result.withLock { $0 = .success(value) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
