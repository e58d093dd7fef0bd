/// Positions of events in a `CaseIndex`, ascending: a slice of memory the index owns, valid while it lives.
/// Not an `ArraySlice`: the evaluator takes dozens of these for every rule of every case, and each
/// `ArraySlice` made or dropped costs an atomic reference count on its array.
typealias Positions = Slice<UnsafeBufferPointer<Int32>>

/// A case's counting events in time order, with the positions of each event kind grouped so that a rule
/// finds its anchors, meeting and moot events without scanning the whole history. It owns the memory its
/// `Positions` point into, so it lives for one evaluation and no `Positions` may outlive it.
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

    /// Files each event under its kind's `expansions` (the kinds it counts as, and its `KindGroups`).
    init(events: [CaseEvent], kinds table: KindTable, expansions: KindExpansions) {
        self.events = events
        let n = events.count
        // One pass by index: each field read in place, no event copied.
        var kindOf = [Int](repeating: -1, count: n)
        at = .allocate(capacity: n)
        dateOnly = .allocate(capacity: n)
        identity = .allocate(capacity: n)
        for i in events.indices {
            kindOf[i] = table.index(of: events[i].kind) ?? -1
            at.initializeElement(at: i, to: events[i].at)
            dateOnly.initializeElement(at: i, to: events[i].dateOnly)
            identity.initializeElement(at: i, to: Int32(i))
        }
        self.kindOf = kindOf
        self.expansions = expansions
        let slots = expansions.slotCount
        starts = .allocate(capacity: slots + 1)
        starts.initialize(repeating: 0)
        let starts = self.starts
        expansions.forEachSlot(kindOf) { _, slot in starts[slot + 1] += 1 }
        for k in 0..<slots { starts[k + 1] += starts[k] }
        var fill = Array(starts)
        positions = .allocate(capacity: Int(starts[slots]))
        let positions = self.positions
        expansions.forEachSlot(kindOf) { p, slot in
            positions.initializeElement(at: Int(fill[slot]), to: Int32(p))
            fill[slot] += 1
        }
    }

    deinit {
        at.deallocate()
        dateOnly.deallocate()
        identity.deallocate()
        starts.deallocate()
        positions.deallocate()
        for a in arena { a.deallocate() }
    }

    /// No positions.
    var none: Positions { UnsafeBufferPointer(identity)[0..<0] }

    /// The one position `p`.
    func only(_ p: Int32) -> Positions { UnsafeBufferPointer(identity)[Int(p)...Int(p)] }

    /// `list` in memory the index owns, kept until the index goes: handed round the evaluation without a
    /// reference count (a list of positions, ascending, is `Positions` as `keep(list)[...]`).
    func keep<T: BitwiseCopyable>(_ list: [T]) -> UnsafeBufferPointer<T> {
        guard !list.isEmpty else { return UnsafeBufferPointer(start: nil, count: 0) }
        let b = UnsafeMutableBufferPointer<T>.allocate(capacity: list.count)
        _ = b.initialize(from: list)
        arena.append(UnsafeMutableRawPointer(b.baseAddress!))
        return UnsafeBufferPointer(b)
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
            return keep(unique)[...]
        }
    }
}
