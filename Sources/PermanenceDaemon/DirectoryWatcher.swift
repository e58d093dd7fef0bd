import Dispatch
import Glibc

/// Watches directories with inotify and reports the names of files that changed, on a Dispatch queue.
/// Nothing polls: the queue wakes only when the kernel has an event.
final class DirectoryWatcher: @unchecked Sendable {  // state is touched only on `queue`
    /// What to watch for: a file written in place (`IN_MODIFY`), created, closed after writing, or moved in.
    struct Mask: OptionSet {
        let rawValue: UInt32
        static let modified = Mask(rawValue: 0x0000_0002)
        static let closedAfterWriting = Mask(rawValue: 0x0000_0008)
        static let movedIn = Mask(rawValue: 0x0000_0080)
        static let created = Mask(rawValue: 0x0000_0100)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let fd: Int32
    private let source: DispatchSourceRead
    private var directories: [Int32: String] = [:]

    /// `handler(directory, name, what)` runs on `queue` for each event.
    init(queue: DispatchQueue, handler: @escaping (String, String, Mask) -> Void) throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if fd < 0 { throw Failure(description: "inotify_init1: \(String(cString: strerror(errno)))") }
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        let fd = self.fd
        source.setEventHandler { [weak self] in
            guard let self else { return }
            for (wd, name, mask) in Self.drain(fd) {
                if let dir = self.directories[wd] { handler(dir, name, Mask(rawValue: mask)) }
            }
        }
        source.setCancelHandler { close(fd) }
        source.resume()
    }

    /// Starts watching `directory`. Call on the watcher's queue.
    func watch(_ directory: String, for mask: Mask) throws {
        let wd = inotify_add_watch(fd, directory, mask.rawValue)
        if wd < 0 {
            let reason = errno
            var st = stat()
            let hint = reason == EACCES && stat(directory, &st) == 0 && st.st_uid != geteuid()
                ? "; it belongs to uid \(st.st_uid), not this process's \(geteuid()) (made by a command run by hand as another user?): chown it to the daemon's user"
                : ""
            throw Failure(description: "\(directory): cannot watch (\(String(cString: strerror(reason))))\(hint)")
        }
        directories[wd] = directory
    }

    func cancel() { source.cancel() }

    deinit {
        // A watcher dropped without cancel (a reload refused after it was made) closes its descriptor too.
        if !source.isCancelled { source.cancel() }
    }

    /// Reads every pending event: (watch descriptor, file name, mask).
    private static func drain(_ fd: Int32) -> [(Int32, String, UInt32)] {
        var out: [(Int32, String, UInt32)] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return out }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let (wd, length, mask) = buffer.withUnsafeBytes { raw -> (Int32, Int, UInt32) in
                    let e = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (e.wd, Int(e.len), e.mask)
                }
                let nameBytes = buffer[(offset + header)..<min(n, offset + header + length)].prefix { $0 != 0 }
                out.append((wd, String(decoding: nameBytes, as: UTF8.self), mask))
                offset += header + length
            }
        }
    }
}
