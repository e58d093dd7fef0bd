/// Decides when a file in the inbox is complete enough to import, and when to try a file again after a
/// temporary failure. Pure: times are seconds on a monotonic clock, passed in.
///
/// A file moved (renamed) into the inbox is complete: it is imported at once. A file written in place is
/// imported only once its writer has closed it (a write since the last close means it is still open) and it
/// has then stayed the same size and modification time for `settle` seconds; a file found with no event
/// (at start) must have been unchanged for `settle` seconds too. A file still being written, even by a slow
/// copy that pauses, is never imported half-way; one written to and then left open without change for
/// `abandoned` seconds (a hard link, or events lost) is taken to be complete.
public struct InboxTracker: Sendable {
    /// A regular file waiting in the inbox, as `stat` saw it.
    public struct File: Sendable, Equatable {
        public let name: String
        public let size: Int
        /// Last modification, in nanoseconds since the epoch.
        public let modified: Int

        public init(name: String, size: Int, modified: Int) {
            self.name = name
            self.size = size
            self.modified = modified
        }
    }

    /// How long a file written in place must stay unchanged, in seconds.
    public let settle: Double
    /// How long a file written to but never closed must stay unchanged before it is taken as complete.
    public let abandoned: Double

    private struct Seen {
        var size: Int
        var modified: Int
        /// Not before this moment.
        var readyAt: Double
        /// Temporary failures in a row, for the backoff.
        var failures = 0
        /// Written to since it was last closed: a writer still has it open.
        var writing = false
    }

    private var files: [String: Seen] = [:]

    public init(settle: Double = 2, abandoned: Double = 60) {
        self.settle = settle
        self.abandoned = abandoned
    }

    /// `name` was renamed into the inbox: complete now.
    public mutating func movedIn(_ entry: File, now: Double) {
        files[entry.name] = Seen(size: entry.size, modified: entry.modified, readyAt: now)
    }

    /// `name` was created or written to: a writer has it open, so it waits for the close.
    public mutating func written(_ name: String, now: Double) {
        var seen = files[name] ?? Seen(size: -1, modified: -1, readyAt: now + abandoned)
        seen.writing = true
        seen.readyAt = max(seen.readyAt, now + abandoned)
        files[name] = seen
    }

    /// `name` was closed after writing: complete if it stays unchanged for `settle` seconds.
    public mutating func closed(_ entry: File, now: Double) {
        let failures = files[entry.name]?.failures ?? 0
        files[entry.name] = Seen(size: entry.size, modified: entry.modified, readyAt: now + settle, failures: failures)
    }

    /// The files to import now, given what the directory holds now. Files that vanished are forgotten; one
    /// never seen before waits `settle` seconds; one that changed since it was seen waits again.
    public mutating func ready(_ entries: [File], now: Double) -> [String] {
        let present = Set(entries.map(\.name))
        files = files.filter { present.contains($0.key) }
        var out: [String] = []
        for e in entries {
            guard var seen = files[e.name] else {
                files[e.name] = Seen(size: e.size, modified: e.modified, readyAt: now + settle)
                continue
            }
            if seen.size != e.size || seen.modified != e.modified {
                seen.size = e.size
                seen.modified = e.modified
                seen.readyAt = max(seen.readyAt, now + (seen.writing ? abandoned : settle))
                files[e.name] = seen
            } else if seen.readyAt <= now {
                out.append(e.name)
            }
        }
        return out
    }

    /// A temporary failure: try again after a backoff (5 seconds, doubling to 5 minutes).
    public mutating func failed(_ name: String, now: Double) -> Double {
        guard var seen = files[name] else { return 0 }
        seen.failures += 1
        let delay = min(300, 5 * Double(1 << min(seen.failures - 1, 6)))
        seen.readyAt = now + delay
        files[name] = seen
        return delay
    }

    /// The file is gone from the inbox (imported or rejected).
    public mutating func done(_ name: String) { files[name] = nil }

    /// When a file next becomes ready, if any waits (a file still being written: when it would count as
    /// abandoned, unless its close comes first).
    public var nextCheck: Double? { files.values.map(\.readyAt).min() }
}
