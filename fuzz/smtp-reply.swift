// libFuzzer target: the SMTP reply parser, fed the input line by line as the line decoder would.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var parser = SMTPReplyParser()
    for line in UnsafeBufferPointer(start: data, count: size).split(separator: 0x0A, omittingEmptySubsequences: false) {
        do { _ = try parser.feed(String(decoding: line, as: UTF8.self)) } catch { parser = SMTPReplyParser() }
    }
    return 0
}
