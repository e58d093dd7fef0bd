// libFuzzer target: the TOML parser (configuration, rule packs, vocabulary). Built by scripts/fuzz with
// the sources of Sources/TOML; a crash, a hang or an out-of-memory is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? TOMLParser.parse(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}
