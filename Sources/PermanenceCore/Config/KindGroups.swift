/// Lists of several event kinds that rules look up together ("met by a review or a disruption meeting"),
/// each given a slot of its own beside the kinds, so that a case's index files every event under the groups
/// it belongs to as well and the evaluator reads each list's events as one slice: no merging and sorting of
/// positions for every rule of every case.
struct KindGroups {
    /// The number of event kinds; groups take the slots from here on.
    let kinds: Int
    private(set) var lists: [[Int]] = []
    private var slots: [[Int]: Int] = [:]

    init(kinds: Int) { self.kinds = kinds }

    /// Slots in the index: the kinds, then the groups.
    var count: Int { kinds + lists.count }

    /// What a rule looks up for `list`: the list itself when it names one kind or none, else its group.
    mutating func slot(_ list: [Int]) -> [Int] {
        let key = Array(Set(list)).sorted()
        guard key.count > 1 else { return key }
        if let s = slots[key] { return [s] }
        let s = kinds + lists.count
        slots[key] = s
        lists.append(key)
        return [s]
    }

    /// Each kind's expansion (the kinds it counts as) with the groups it thereby belongs to.
    func expand(_ expansions: [[Int]]) -> KindExpansions {
        KindExpansions(expansions.map { e in
            e + lists.indices.filter { g in lists[g].contains { e.contains($0) } }.map { kinds + $0 }
        }, slots: count)
    }
}

/// For each event kind, the slots (kinds and groups) an event of that kind is filed under, in one flat
/// array: a case's index reads them for every event, and an array of arrays costs a reference count for
/// each.
struct KindExpansions: Sendable {
    /// `slots[starts[k] ..< starts[k + 1]]` belong to kind `k`.
    private let starts: [Int32]
    private let flat: [Int32]
    /// Kinds and groups: the slots of a case's index.
    let slotCount: Int

    init(_ lists: [[Int]], slots: Int) {
        var starts: [Int32] = [0]
        var flat: [Int32] = []
        for l in lists {
            flat += l.map(Int32.init)
            starts.append(Int32(flat.count))
        }
        self.starts = starts
        self.flat = flat
        slotCount = slots
    }

    /// The slots of kind `k`.
    func of(_ k: Int) -> ArraySlice<Int32> { flat[Int(starts[k])..<Int(starts[k + 1])] }

    /// Calls `body` with each event kind's slots for `kindOf` (an index's kinds, -1 for unknown), without a
    /// reference count per event.
    @inline(__always)
    func forEachSlot(_ kindOf: [Int], _ body: (_ position: Int, _ slot: Int) -> Void) {
        starts.withUnsafeBufferPointer { starts in
            flat.withUnsafeBufferPointer { flat in
                for (p, k) in kindOf.enumerated() where k >= 0 {
                    for i in Int(starts[k])..<Int(starts[k + 1]) { body(p, Int(flat[i])) }
                }
            }
        }
    }
}
