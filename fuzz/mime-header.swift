// libFuzzer target: the MIME header encoder. Whatever the input, an encoded header must be one line of
// printable ASCII no longer than 998 octets per folded line, and never carry a raw CR or LF. Non-ASCII
// text becomes encoded-words on lines of at most 76 characters (RFC 2047 §2), counting the header's name on
// the first, which decode back to the text exactly; a display name keeps every line within 78.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let subject = HeaderField.unstructured(text, nameLength: 9)
    let from = HeaderField.mailbox(name: text, address: "a@example.org", used: 6)
    for out in [subject, from] {
        for line in out.split(separator: "\r\n", omittingEmptySubsequences: false) {
            precondition(line.utf8.count <= 998, "a header line longer than 998 octets")
            precondition(!line.utf8.contains(13) && !line.utf8.contains(10), "a bare CR or LF in a header")
            precondition(line.utf8.allSatisfy { $0 == 9 || ($0 >= 32 && $0 < 127) }, "a header byte outside printable ASCII")
        }
    }
    let clean = HeaderField.sanitized(text)
    if subject.hasPrefix("=?UTF-8?B?") {
        let lines = ("Subject: " + subject).split(separator: "\r\n", omittingEmptySubsequences: false)
        for line in lines { precondition(line.utf8.count <= 76, "an encoded-word line longer than 76") }
        // Every word decodes on its own, and together they are the text.
        var decoded: [UInt8] = []
        for line in lines {
            let word = line.drop { $0 != "=" }
            precondition(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="), "not an encoded-word: \(line)")
            guard let bytes = Base64.decode(String(word.dropFirst(10).dropLast(2))) else { preconditionFailure("bad Base64") }
            precondition(String(validatingUTF8: bytes.map { CChar(bitPattern: $0) } + [0]) != nil || bytes.contains(0), "a word splits a character")
            decoded += bytes
        }
        precondition(String(decoding: decoded, as: UTF8.self) == clean, "the words do not decode to the text")
    }
    // A display name is cut at 200 characters; what is left decides how it is written.
    let name = String(clean.prefix(200))
    if !name.isEmpty && !name.utf8.allSatisfy({ $0 < 128 }) {
        for line in ("From: " + from).split(separator: "\r\n", omittingEmptySubsequences: false) {
            precondition(line.utf8.count <= 78, "a From line longer than 78: \(line)")
        }
    }
    return 0
}
