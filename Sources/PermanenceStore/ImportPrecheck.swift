import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PermanenceCore
import Synchronization

/// The check of every row of an import's regular files (`Store.precheck`), run on a thread of its own while
/// the import writes: reading and decoding a file again costs the writer nothing, and a bad row anywhere
/// still refuses the import in the time it takes to read the file. The writer looks at `failed` as it goes
/// and stops at once; before it commits it waits for the check (`wait`), and a failed check rolls the
/// import back, its problems reported as if the check had run first.
final class ImportPrecheck: Sendable {
    private let outcome = Mutex<CSVErrors?>(nil)
    private let hasFailed = Atomic<Bool>(false)
    private let cancelled = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private let finished = Atomic<Bool>(false)

    /// Starts checking `files` on a new thread.
    init(store: Store, files: [(path: String, kind: Store.ImportKind)]) {
        let thread = Thread { [self] in
            do throws(CSVErrors) {
                try store.precheck(files) { self.cancelled.load(ordering: .relaxed) }
            } catch {
                outcome.withLock { $0 = error }
                hasFailed.store(true, ordering: .relaxed)
            }
            // The thread's memory (glibc gives each thread an arena of its own) goes back to the system rather
            // than staying with the process for good: an import leaves the daemon's memory as it found it.
            Self.trim()
            done.signal()
        }
        thread.name = "permanenced-import-check"
        thread.start()
    }

    /// The check has found problems (it may still be reading).
    var failed: Bool { hasFailed.load(ordering: .relaxed) }

    /// Asks the check to stop early (the import failed for another reason); `wait` still returns what it
    /// found so far only if that was a failure.
    func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Waits for the check to end: its problems, or nil if every row passed (or it was cancelled first).
    func wait() -> CSVErrors? {
        if !finished.load(ordering: .acquiring) {
            done.wait()
            finished.store(true, ordering: .releasing)
        }
        return outcome.withLock { $0 }
    }

    /// glibc's `malloc_trim(0)`, where the C library has it (looked up: Swift's Glibc module leaves out
    /// `malloc.h`).
    private static func trim() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }

    /// Thrown from the writer when the check failed: the transaction rolls back and `wait` says why.
    struct Stop: Error {}
}
