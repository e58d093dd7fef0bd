/// Event kind names to their vocabulary index: an open-addressing table with an FNV-1a hash, because the
/// evaluator looks up every event's kind and the standard library's seeded hash costs more than the
/// rest of a lookup.
struct KindTable: Sendable {
    private let names: [String]
    private let slots: [Int32]  // index + 1, 0 for empty
    private let mask: Int

    init(_ names: [String]) {
        self.names = names
        var size = 8
        while size < names.count * 4 { size <<= 1 }
        mask = size - 1
        var slots = [Int32](repeating: 0, count: size)
        for (i, n) in names.enumerated() {
            var s = KindTable.hash(n) & (size - 1)
            while slots[s] != 0 { s = (s + 1) & (size - 1) }
            slots[s] = Int32(i + 1)
        }
        self.slots = slots
    }

    static func hash(_ s: String) -> Int {
        let h = stableHash(s)
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The index of a kind, or nil when the vocabulary does not define it.
    func index(of name: String) -> Int? {
        var s = KindTable.hash(name) & mask
        while true {
            let v = slots[s]
            if v == 0 { return nil }
            // Compared in place: loading the name out of the array would cost a reference count.
            if names.withUnsafeBufferPointer({ $0[Int(v) - 1] == name }) { return Int(v) - 1 }
            s = (s + 1) & mask
        }
    }
}
