/// A case's counting events in time order, with the positions of each event kind grouped so that a rule
/// finds its anchors, meeting and moot events without scanning the whole history.
struct CaseIndex {
    /// Counting events, in time order.
    let events: [CaseEvent]
    /// Positions into `events`, grouped by kind (an event appears under every kind it counts as).
    private let positions: [Int32]
    /// `positions[starts[k] ..< starts[k + 1]]` are the events that count as kind `k`.
    private let starts: [Int32]
    /// Each event's own kind (-1 if the vocabulary does not know it).
    private let kindOf: [Int]
    private let expansions: [[Int]]

    init(events: [CaseEvent], kindOf: [Int], expansions: [[Int]]) {
        self.events = events
        self.kindOf = kindOf
        self.expansions = expansions
        let kinds = expansions.count
        var counts = [Int32](repeating: 0, count: kinds + 1)
        for k in kindOf where k >= 0 {
            for e in expansions[k] { counts[e + 1] += 1 }
        }
        for k in 0..<kinds { counts[k + 1] += counts[k] }
        var fill = counts
        var positions = [Int32](repeating: 0, count: Int(counts[kinds]))
        for (p, k) in kindOf.enumerated() where k >= 0 {
            for e in expansions[k] {
                positions[Int(fill[e])] = Int32(p)
                fill[e] += 1
            }
        }
        self.positions = positions
        self.starts = counts
    }

    /// The event at `p` counts as one of `kinds`.
    func counts(_ p: Int32, asAnyOf kinds: [Int]) -> Bool {
        let k = kindOf[Int(p)]
        return k >= 0 && expansions[k].contains { kinds.contains($0) }
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
