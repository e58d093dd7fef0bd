/// Event kind names to their vocabulary index: an open-addressing table over the names' UTF-8 bytes.
///
/// The evaluator looks up every event's kind, and the standard library's seeded hash and Unicode-aware
/// comparison cost more than the rest of a lookup. A name here is hashed from its length and at most its
/// first and last eight bytes, and compared eight bytes at a time. It matches byte for byte, as the names
/// of the vocabulary and of the events recorded against it are written.
struct KindTable: Sendable {
    /// Every name's UTF-8 bytes, one after another.
    private let bytes: [UInt8]
    /// Name `i`'s bytes are `bytes[offsets[i] ..< offsets[i + 1]]`.
    private let offsets: [Int32]
    /// Index + 1 of the name in each slot, 0 for an empty slot.
    private let slots: [Int32]
    private let mask: Int

    init(_ names: [String]) {
        var bytes: [UInt8] = []
        var offsets: [Int32] = [0]
        for n in names {
            bytes += n.utf8
            offsets.append(Int32(bytes.count))
        }
        var size = 8
        while size < names.count * 4 { size <<= 1 }
        var slots = [Int32](repeating: 0, count: size)
        bytes.withUnsafeBufferPointer { all in
            for i in names.indices {
                let name = UnsafeBufferPointer(rebasing: all[Int(offsets[i])..<Int(offsets[i + 1])])
                var s = KindTable.hash(name) & (size - 1)
                while slots[s] != 0 { s = (s + 1) & (size - 1) }
                slots[s] = Int32(i + 1)
            }
        }
        self.bytes = bytes
        self.offsets = offsets
        self.slots = slots
        mask = size - 1
    }

    /// The index of a kind, or nil when the vocabulary does not define it.
    func index(of name: String) -> Int? {
        // Native and small strings (every string on Linux) have contiguous bytes; the copy is for any other.
        if let found = name.utf8.withContiguousStorageIfAvailable({ find($0) }) { return found }
        return Array(name.utf8).withUnsafeBufferPointer { find($0) }
    }

    private func find(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { all in
            offsets.withUnsafeBufferPointer { offsets in
                slots.withUnsafeBufferPointer { slots in
                    var s = KindTable.hash(key) & mask
                    while true {
                        let v = Int(slots[s])
                        if v == 0 { return nil }
                        let lo = Int(offsets[v - 1])
                        if Int(offsets[v]) - lo == key.count && KindTable.same(all, from: lo, key) { return v - 1 }
                        s = (s + 1) & mask
                    }
                }
            }
        }
    }

    /// The length, and the first and last eight bytes (four, for a name shorter than eight; every byte of one
    /// shorter than four), mixed.
    @inline(__always)
    static func hash(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        let n = b.count
        var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        let raw = UnsafeRawBufferPointer(b)
        if n >= 8 {
            h = (h ^ raw.loadUnaligned(as: UInt64.self)) &* 0x100_0000_01b3
            h = (h ^ raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) &* 0x100_0000_01b3
        } else if n >= 4 {
            let first = UInt64(raw.loadUnaligned(as: UInt32.self))
            let last = UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            h = (h ^ (first | last << 32)) &* 0x100_0000_01b3
        } else {
            for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
        }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// `all[from ..< from + key.count]` holds the same bytes as `key`, compared eight at a time.
    private static func same(_ all: UnsafeBufferPointer<UInt8>, from: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = key.count
        guard n > 0 else { return true }
        let a = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(all)[from..<(from + n)])
        let b = UnsafeRawBufferPointer(key)
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        while i < n {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}
