// libFuzzer target: the MIME header encoder. Whatever the input, an encoded header must be one line of
// printable ASCII no longer than 998 octets per folded line, and never carry a raw CR or LF.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for out in [HeaderField.unstructured(text, nameLength: 9), HeaderField.mailbox(name: text, address: "a@example.org")] {
        for line in out.split(separator: "\r\n", omittingEmptySubsequences: false) {
            precondition(line.utf8.count <= 998, "a header line longer than 998 octets")
            precondition(!line.utf8.contains(13) && !line.utf8.contains(10), "a bare CR or LF in a header")
            precondition(line.utf8.allSatisfy { $0 == 9 || ($0 >= 32 && $0 < 127) }, "a header byte outside printable ASCII")
        }
    }
    return 0
}
