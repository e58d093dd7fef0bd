/// The next instant at which each case has something to send, ordered so the earliest is found at once.
///
/// A binary min-heap with lazy deletion: rescheduling a case pushes a new entry and the stale one is
/// dropped when it reaches the top. Memory is one entry per case plus stale entries, which
/// `compact()` clears when they outnumber the live ones.
public struct Timeline: Sendable {
    private struct Entry: Sendable {
        let at: Instant
        let ref: String
    }

    private var heap: [Entry] = []
    private var current: [String: Instant] = [:]

    public init() {}

    /// Number of cases with something scheduled.
    public var count: Int { current.count }

    /// The earliest scheduled instant, if any.
    public mutating func next() -> Instant? {
        dropStale()
        return heap.first?.at
    }

    /// When `ref` next has something to send.
    public func scheduled(_ ref: String) -> Instant? { current[ref] }

    /// Sets (or, with nil, clears) when `ref` next has something to send.
    public mutating func schedule(_ ref: String, at: Instant?) {
        guard current[ref] != at else { return }
        current[ref] = at
        if let at { push(Entry(at: at, ref: ref)) }
        if heap.count > 64 && heap.count > 2 * current.count { compact() }
    }

    /// Removes and returns the cases whose instant is at or before `now`, earliest first.
    public mutating func popDue(at now: Instant) -> [String] {
        var due: [String] = []
        while true {
            dropStale()
            guard let top = heap.first, top.at <= now else { return due }
            popTop()
            current[top.ref] = nil
            due.append(top.ref)
        }
    }

    /// How many cases are due at or before `now`, counted up to `limit` (beyond it, `limit + 1`): without
    /// popping them, in time proportional to the count (only heap entries at or before `now` are visited).
    public func countDue(at now: Instant, limit: Int = 10_000) -> Int {
        // A case rescheduled back to an earlier instant has two live-looking entries: each case counts once.
        var counted = Set<String>()
        var stack = heap.isEmpty ? [] : [0]
        while let i = stack.popLast() {
            let e = heap[i]
            guard e.at <= now else { continue }
            if current[e.ref] == e.at {
                counted.insert(e.ref)
                if counted.count > limit { return counted.count }
            }
            for child in [2 * i + 1, 2 * i + 2] where child < heap.count { stack.append(child) }
        }
        return counted.count
    }

    /// Rebuilds the heap from the live entries only.
    public mutating func compact() {
        heap = current.map { Entry(at: $0.value, ref: $0.key) }
        for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    private mutating func dropStale() {
        while let top = heap.first, current[top.ref] != top.at { popTop() }
    }

    private static func less(_ a: Entry, _ b: Entry) -> Bool { a.at != b.at ? a.at < b.at : a.ref < b.ref }

    private mutating func push(_ e: Entry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.less(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func popTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && Self.less(heap[l], heap[m]) { m = l }
            if r < heap.count && Self.less(heap[r], heap[m]) { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }
}
