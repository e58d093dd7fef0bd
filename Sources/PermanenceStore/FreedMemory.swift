#if canImport(Glibc)
import Glibc
#endif

/// Memory the process has freed, given back to the system.
public enum FreedMemory {
    /// glibc's `malloc_trim(0)`, where the C library has it (looked up: Swift's Glibc module leaves out
    /// `malloc.h`). After a large piece of work (a big file read, a whole authority evaluated on several
    /// threads) the freed memory otherwise stays with the process, spread over the arenas of the threads that
    /// used it: the daemon's resident memory would stay at its peak for as long as it runs. Takes a few
    /// milliseconds; call it off the daemon's queue.
    public static func giveBack() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }
}
