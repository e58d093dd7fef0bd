/// FNV-1a, 64 bits: a hash that is the same in every process and on every run (Swift's `Hasher` is seeded
/// per process), for spreading cases over time, naming messages and the vocabulary's lookup table.
public func stableHash(_ s: String) -> UInt64 {
    // Over the contiguous UTF-8 bytes where the string has them (native strings do): a plain loop, no
    // iterator per byte.
    if let h = s.utf8.withContiguousStorageIfAvailable({ bytes in
        var h = UInt64(0xcbf2_9ce4_8422_2325)
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }) {
        return h
    }
    return s.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}
