/// A case's counting events in time order, with the positions of each event kind grouped so that a rule
/// finds its anchors, meeting and moot events without scanning the whole history.
struct CaseIndex {
    /// Counting events, in time order.
    let events: [CaseEvent]
    /// Each event's time and whether it has a date only, apart from the rest of it: the evaluator reads
    /// these in its inner loops, and copying a whole event (five strings) to read one field costs more
    /// than the arithmetic.
    let at: [Instant]
    let dateOnly: [Bool]
    /// Positions into `events`, grouped by kind (an event appears under every kind it counts as).
    private let positions: [Int32]
    /// `positions[starts[k] ..< starts[k + 1]]` are the events that count as kind `k`.
    private let starts: [Int32]
    /// Each event's own kind (-1 if the vocabulary does not know it).
    private let kindOf: [Int]
    private let expansions: KindExpansions

    /// Files each event under its kind's `expansions` (the kinds it counts as, and its `KindGroups`).
    init(events: [CaseEvent], kinds table: KindTable, expansions: KindExpansions) {
        self.events = events
        // One pass by index: each field read in place, no event copied.
        var kindOf = [Int](repeating: -1, count: events.count)
        var at = [Instant](repeating: Instant(seconds: 0), count: events.count)
        var dateOnly = [Bool](repeating: false, count: events.count)
        for i in events.indices {
            kindOf[i] = table.index(of: events[i].kind) ?? -1
            at[i] = events[i].at
            dateOnly[i] = events[i].dateOnly
        }
        self.at = at
        self.dateOnly = dateOnly
        self.kindOf = kindOf
        self.expansions = expansions
        let kinds = expansions.slotCount
        var counts = [Int32](repeating: 0, count: kinds + 1)
        expansions.forEachSlot(kindOf) { _, slot in counts[slot + 1] += 1 }
        for k in 0..<kinds { counts[k + 1] += counts[k] }
        var fill = counts
        var positions = [Int32](repeating: 0, count: Int(counts[kinds]))
        expansions.forEachSlot(kindOf) { p, slot in
            positions[Int(fill[slot])] = Int32(p)
            fill[slot] += 1
        }
        self.positions = positions
        self.starts = counts
    }

    /// The event at `p` counts as one of `kinds`.
    func counts(_ p: Int32, asAnyOf kinds: [Int]) -> Bool {
        let k = kindOf[Int(p)]
        return k >= 0 && expansions.of(k).contains { kinds.contains(Int($0)) }
    }

    /// Positions of events that count as any of `kinds`, ascending.
    func positions(_ kinds: [Int]) -> ArraySlice<Int32> {
        switch kinds.count {
        case 0: return []
        case 1: return positions[Int(starts[kinds[0]])..<Int(starts[kinds[0] + 1])]
        default:
            var merged: [Int32] = []
            for k in kinds { merged += positions[Int(starts[k])..<Int(starts[k + 1])] }
            merged.sort()
            // An event counting as two of the kinds appears once.
            var unique: [Int32] = []
            unique.reserveCapacity(merged.count)
            for p in merged where unique.last != p { unique.append(p) }
            return unique[...]
        }
    }
}
