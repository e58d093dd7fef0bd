import Glibc

/// One daemon per store: an exclusive `flock` on a file beside the store (`STORE.daemon.lock`), held for
/// the life of the process (the kernel releases it however the process ends). The file holds the holder's
/// pid, so a second `permanenced run` can say who is already running.
public final class StoreLock: @unchecked Sendable {  // immutable after init
    /// The lock file's path.
    public let path: String
    private let fd: Int32
    /// The store file itself, `flock`ed too: whatever path names the store (a symbolic link, a hard link, a
    /// relative path), one daemon. SQLite's own locks are `fcntl` locks, which `flock` does not touch on Linux.
    private var storeFD: Int32 = -1

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Takes the lock for the store at `storePath`, or throws naming the process that holds it.
    public init(storePath: String) throws {
        path = storePath + ".daemon.lock"
        let slash = storePath.lastIndex(of: "/")
        if let slash, slash != storePath.startIndex { mkdir(String(storePath[..<slash]), 0o700) }
        // Never through a symbolic link: the directory is the service user's, and a link planted there must not
        // lead a root run to open (and hand over) another file.
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            let reason = errno
            var hint = ""
            var st = stat()
            if reason == EACCES, stat(path, &st) == 0, st.st_uid != geteuid() {
                hint = "; it belongs to uid \(st.st_uid) (was the daemon run by hand as another user?): `chown` it to the daemon's user, or remove it while no daemon runs"
            }
            throw Failure(description: "\(path): cannot open the daemon lock (\(String(cString: strerror(reason))))\(hint)")
        }
        // Run as root (by hand, for a look), the lock file takes the store's owner, as SQLite does for its
        // -wal and -shm files: otherwise the service, running as its own user, could not open it afterwards.
        OwnedFiles.adopt(fd, ownerOf: [storePath] + (slash.map { [String(storePath[..<$0])] } ?? []))
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            let holder = Self.readPid(fd)
            close(fd)
            if reason == EWOULDBLOCK {
                throw Failure(description: "another permanenced\(holder.map { " (pid \($0))" } ?? "") is already running on this store; "
                    + "one daemon per store (lock \(path))")
            }
            throw Failure(description: "\(path): cannot take the daemon lock (\(String(cString: strerror(reason))))")
        }
        // The store's identity (its inode): a second daemon reaching it by another path finds it taken.
        let store = open(storePath, O_RDONLY | O_CLOEXEC)
        if store >= 0 {
            if flock(store, LOCK_EX | LOCK_NB) != 0 {
                let reason = errno
                close(store)
                close(fd)
                if reason == EWOULDBLOCK {
                    throw Failure(description: "another permanenced is already running on this store, reached by another path "
                        + "(a link to \(storePath)?); one daemon per store")
                }
                throw Failure(description: "\(storePath): cannot take the daemon lock on the store (\(String(cString: strerror(reason))))")
            }
            storeFD = store
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        if storeFD >= 0 { close(storeFD) }
        close(fd)
    }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<n].filter { (48...57).contains($0) }, as: UTF8.self))
    }
}
