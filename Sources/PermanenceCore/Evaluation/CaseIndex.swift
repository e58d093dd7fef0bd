/// Positions of events in a `CaseIndex`, ascending: a slice of memory the index owns, valid while it lives.
/// Not an `ArraySlice`: the evaluator takes dozens of these for every rule of every case, and each
/// `ArraySlice` made or dropped costs an atomic reference count on its array.
typealias Positions = Slice<UnsafeBufferPointer<Int32>>

/// A case's counting events in time order, with the positions of each event kind grouped so that a rule
/// finds its anchors, meeting and moot events without scanning the whole history. It owns the memory its
/// `Positions` and a `CasePeriods`' `Instances` point into, so it lives for one evaluation and neither may
/// outlive it: a caller that reads them after its own last use of the index keeps the index alive
/// (`withExtendedLifetime`).
final class CaseIndex {
    /// Counting events, in time order.
    let events: [CaseEvent]
    /// Each event's time and whether it has a date only, apart from the rest of it: the evaluator reads
    /// these in its inner loops, and copying a whole event (five strings) to read one field costs more
    /// than the arithmetic.
    let at: UnsafeMutableBufferPointer<Instant>
    let dateOnly: UnsafeMutableBufferPointer<Bool>
    /// Positions into `events`, grouped by slot (an event appears under every kind and group it counts as).
    private let positions: UnsafeMutableBufferPointer<Int32>
    /// `positions[starts[k] ..< starts[k + 1]]` are the events that count as slot `k`.
    private let starts: UnsafeMutableBufferPointer<Int32>
    /// `identity[p] == p`: one position as `Positions`, without memory of its own.
    private let identity: UnsafeMutableBufferPointer<Int32>
    /// Each event's own kind (-1 if the vocabulary does not know it).
    private let kindOf: [Int]
    private let expansions: KindExpansions
    /// Memory for lists made on the way (a filtered list of anchors, the case's periods of a kind), freed with
    /// the index.
    private var arena: [UnsafeMutableRawPointer] = []

    /// One allocation holding `at`, `identity`, `starts` and `dateOnly`, in that order (widest first, so each
    /// is aligned): a case's index is made and freed for every evaluation.
    private let block: UnsafeMutableRawPointer

    /// Files each event under its kind's `expansions` (the kinds it counts as, and its `KindGroups`).
    init(events: [CaseEvent], kinds table: KindTable, expansions: KindExpansions) {
        self.events = events
        let n = events.count
        let slots = expansions.slotCount
        block = .allocate(byteCount: n * 8 + n * 4 + (slots + 1) * 4 + n, alignment: 8)
        at = UnsafeMutableBufferPointer(start: block.bindMemory(to: Instant.self, capacity: n), count: n)
        identity = UnsafeMutableBufferPointer(start: (block + n * 8).bindMemory(to: Int32.self, capacity: n), count: n)
        starts = UnsafeMutableBufferPointer(start: (block + n * 12).bindMemory(to: Int32.self, capacity: slots + 1), count: slots + 1)
        dateOnly = UnsafeMutableBufferPointer(start: (block + n * 12 + (slots + 1) * 4).bindMemory(to: Bool.self, capacity: n), count: n)
        // One pass over the events in place: each field read where it is, no event (or its kind) copied.
        let (at, identity, dateOnly) = (self.at, self.identity, self.dateOnly)
        kindOf = [Int](unsafeUninitializedCapacity: n) { kindOf, count in
            events.withUnsafeBufferPointer { events in
                for i in 0..<n {
                    kindOf.initializeElement(at: i, to: table.index(of: events[i].kind) ?? -1)
                    at.initializeElement(at: i, to: events[i].at)
                    dateOnly.initializeElement(at: i, to: events[i].dateOnly)
                    identity.initializeElement(at: i, to: Int32(i))
                }
            }
            count = n
        }
        self.expansions = expansions
        // Count each slot's events into the slot after it, and add up: `starts[k]` is where slot `k` begins.
        let starts = self.starts
        starts.initialize(repeating: 0)
        expansions.forEachSlot(kindOf) { _, slot in starts[slot + 1] += 1 }
        for k in 0..<slots { starts[k + 1] += starts[k] }
        // File each event at its slot's next place, `starts[slot]` moving on as it goes (so ending where the
        // next slot begins), then put the beginnings back.
        positions = .allocate(capacity: Int(starts[slots]))
        let positions = self.positions
        expansions.forEachSlot(kindOf) { p, slot in
            positions.initializeElement(at: Int(starts[slot]), to: Int32(p))
            starts[slot] += 1
        }
        for k in stride(from: slots, to: 0, by: -1) { starts[k] = starts[k - 1] }
        starts[0] = 0
    }

    deinit {
        block.deallocate()
        positions.deallocate()
        for a in arena { a.deallocate() }
    }

    /// No positions.
    var none: Positions { UnsafeBufferPointer(identity)[0..<0] }

    /// The one position `p`.
    func only(_ p: Int32) -> Positions { UnsafeBufferPointer(identity)[Int(p)...Int(p)] }

    /// `list` (ascending) as `Positions`, in memory the index owns until it goes.
    func keep(_ list: [Int32]) -> Positions {
        let b: UnsafeMutableBufferPointer<Int32> = allocate(list.count)
        _ = b.initialize(from: list)
        return UnsafeBufferPointer(b)[...]
    }

    /// Room for `capacity` values, uninitialised, in memory the index owns until it goes (empty for none).
    func allocate<T: BitwiseCopyable>(_ capacity: Int) -> UnsafeMutableBufferPointer<T> {
        guard capacity > 0 else { return UnsafeMutableBufferPointer(start: nil, count: 0) }
        let b = UnsafeMutableBufferPointer<T>.allocate(capacity: capacity)
        arena.append(UnsafeMutableRawPointer(b.baseAddress!))
        return b
    }

    /// The event at `p` counts as one of `kinds`.
    func counts(_ p: Int32, asAnyOf kinds: [Int]) -> Bool {
        let k = kindOf[Int(p)]
        return k >= 0 && expansions.of(k).contains { kinds.contains(Int($0)) }
    }

    /// Positions of events that count as any of `kinds` (compiled rules name one slot: see `KindGroups`).
    func positions(_ kinds: [Int]) -> Positions {
        switch kinds.count {
        case 0: return none
        case 1: return UnsafeBufferPointer(positions)[Int(starts[kinds[0]])..<Int(starts[kinds[0] + 1])]
        default:
            var merged: [Int32] = []
            for k in kinds { merged += positions[Int(starts[k])..<Int(starts[k + 1])] }
            merged.sort()
            // An event counting as two of the kinds appears once.
            var unique: [Int32] = []
            unique.reserveCapacity(merged.count)
            for p in merged where unique.last != p { unique.append(p) }
            return keep(unique)
        }
    }
}
