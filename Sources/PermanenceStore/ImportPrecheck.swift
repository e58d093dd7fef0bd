import Dispatch
import Foundation
import PermanenceCore
import Synchronization

/// The check of every row of an import's regular files (`Store.precheck`), run on a thread of its own while
/// the import writes: reading and decoding a file again costs the writer nothing, and a bad row anywhere
/// still refuses the import in the time it takes to read the file. The writer looks at `failed` as it goes
/// and stops at once; before it commits it waits for the check (`wait`), and a failed check rolls the
/// import back, its problems reported as if the check had run first.
///
/// Whoever comes first runs the check: the thread, or `wait` itself when the thread has not begun (it could
/// not be started, the system being short of threads), so waiting never depends on a thread that may never
/// run.
final class ImportPrecheck: Sendable {
    private let store: Store
    private let files: [(path: String, kind: Store.ImportKind)]
    private let outcome = Mutex<CSVErrors?>(nil)
    private let hasFailed = Atomic<Bool>(false)
    /// Set by whoever runs the check.
    private let claimed = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    /// Files this large leave their reading memory behind when checked (see `FreedMemory`).
    private static let largeFile = 8 << 20

    /// Starts checking `files` on a new thread (none when no file has rows to check).
    init(store: Store, files: [(path: String, kind: Store.ImportKind)]) {
        self.store = store
        self.files = files.filter { $0.kind == .events || $0.kind == .cases }
        guard !self.files.isEmpty else {
            claimed.store(true, ordering: .relaxed)
            done.signal()
            return
        }
        let thread = Thread { [self] in run() }
        thread.name = "permanenced-import-check"
        thread.start()
    }

    private func run() {
        guard claimed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        do throws(CSVErrors) {
            try store.precheck(files)
        } catch {
            outcome.withLock { $0 = error }
            hasFailed.store(true, ordering: .relaxed)
        }
        done.signal()
        let large = files.contains { ((try? FileManager.default.attributesOfItem(atPath: $0.path))?[.size] as? Int ?? 0) >= Self.largeFile }
        if large { FreedMemory.giveBack() }
    }

    /// The check has found problems (it may still be reading).
    var failed: Bool { hasFailed.load(ordering: .relaxed) }

    /// Waits for the check to end (running it here if its thread never began): its problems, or nil if every
    /// row passed. Called from one thread (the import's).
    func wait() -> CSVErrors? {
        run()
        done.wait()
        done.signal()  // a later `wait` returns at once
        return outcome.withLock { $0 }
    }

    /// Thrown from the writer when the check failed: the transaction rolls back and `wait` says why.
    struct Stop: Error {}
}
