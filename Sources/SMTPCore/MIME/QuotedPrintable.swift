/// Quoted-printable (RFC 2045 §6.7) for text parts: UTF-8 in, 7-bit lines of at most 76 characters out,
/// so no line of the message can pass the 998-character limit of RFC 5322 whatever the text.
public enum QuotedPrintable {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Encodes text; line breaks (LF, CR or CRLF) become CRLF line breaks of the encoded text.
    public static func encode(_ text: String) -> String {
        var out: [UInt8] = []
        var lineLength = 0
        func emit(_ token: [UInt8]) {
            if lineLength + token.count > 75 {
                out += [UInt8(ascii: "="), 13, 10]
                lineLength = 0
            }
            out += token
            lineLength += token.count
        }
        func escaped(_ b: UInt8) -> [UInt8] { [UInt8(ascii: "="), hex[Int(b >> 4)], hex[Int(b & 15)]] }
        let lines = text.replacingLineBreaks()
        for (n, line) in lines.enumerated() {
            if n > 0 {
                out += [13, 10]
                lineLength = 0
            }
            for (i, b) in line.enumerated() {
                let last = i == line.count - 1
                switch b {
                case 33...60, 62...126:
                    // A leading dot is escaped too, for relays that mishandle it.
                    emit(b == UInt8(ascii: ".") && lineLength == 0 ? escaped(b) : [b])
                case 32, 9:
                    emit(last ? escaped(b) : [b])
                default:
                    emit(escaped(b))
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    /// The text's lines as UTF-8, split at LF, CR or CRLF.
    func replacingLineBreaks() -> [[UInt8]] {
        var lines: [[UInt8]] = [[]]
        let bytes = Array(utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 13 || b == 10 {
                if b == 13, i + 1 < bytes.count, bytes[i + 1] == 10 { i += 1 }
                lines.append([])
            } else {
                lines[lines.count - 1].append(b)
            }
            i += 1
        }
        return lines
    }
}
