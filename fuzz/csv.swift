// libFuzzer target: the incremental CSV parser, fed the input in two chunks split at its first byte's
// value, so chunk boundaries are fuzzed too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let cut = size > 0 ? min(Int(bytes[0]), size) : 0
    var p = CSVParser()
    do {
        _ = try p.feed(bytes[..<cut])
        _ = try p.feed(bytes[cut...])
        _ = try p.finish()
    } catch {}
    return 0
}
