/// Header values made safe and readable (RFC 5322 §2.2, RFC 2047): no CR, LF or other control character
/// can reach the message (so no value can start a header of its own), non-ASCII text becomes UTF-8
/// encoded-words, and long values are folded.
public enum HeaderField {
    /// Control characters (CR and LF among them) become spaces; runs of whitespace collapse.
    public static func sanitized(_ value: String) -> String {
        var out = ""
        var lastWasSpace = false
        for scalar in value.unicodeScalars {
            let isSpace = scalar.value < 32 || scalar.value == 127 || scalar == " " || (0x80...0x9F).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}"
            if isSpace {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        return out.trimmingSpaces()
    }

    /// Unstructured text (Subject): ASCII is folded at spaces; anything else is a series of encoded-words of at
    /// most 75 characters, each on its own folded line. `nameLength` is the length of `Name: `.
    public static func unstructured(_ value: String, nameLength: Int) -> String {
        let clean = sanitized(value)
        if clean.utf8.allSatisfy({ $0 < 128 }) && !clean.contains("=?") { return fold(clean, first: nameLength) }
        return encodedWords(clean).joined(separator: "\r\n ")
    }

    /// `=?UTF-8?B?...?=` words, split between characters so none exceeds 75 characters (RFC 2047 §2).
    public static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for ch in text {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Base64.encode(chunk))?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Base64.encode(chunk))?=") }
        return words
    }

    /// A mailbox: `Name <local@domain>`, the name quoted or encoded as needed.
    public static func mailbox(name: String?, address: String) -> String {
        let addr = sanitized(address).filter { $0 != " " && $0 != "<" && $0 != ">" }
        guard var raw = name.map(sanitized), !raw.isEmpty else { return "<\(addr)>" }
        // Encoded words are folded one to a line (a long name stays within 998 octets a line, as fuzzing
        // found it did not); a plain name is cut at 200 characters, more than any person's.
        if !raw.utf8.allSatisfy({ $0 < 128 }) { return "\(encodedWords(raw).joined(separator: "\r\n ")) <\(addr)>" }
        if raw.count > 200 { raw = String(raw.prefix(200)).trimmingSpaces() }
        let atext = raw.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || "0123456789 !#$%&'*+-/=?^_`{|}~".unicodeScalars.contains($0) }
        if atext { return "\(raw) <\(addr)>" }
        let quoted = raw.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        return "\"\(quoted)\" <\(addr)>"
    }

    /// Folds ASCII text at spaces so lines stay near 78 characters (never over 998).
    static func fold(_ text: String, first: Int) -> String {
        var lines: [String] = []
        var line = ""
        var limit = 78 - first
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !line.isEmpty && line.count + 1 + word.count > limit {
                lines.append(line)
                line = String(word)
                limit = 77
            } else {
                line += line.isEmpty ? String(word) : " " + word
            }
        }
        lines.append(line)
        // A single word too long for a 998-character line cannot be folded; cut it rather than break the message.
        return lines.map { $0.count > 900 ? String($0.prefix(900)) : $0 }.joined(separator: "\r\n ")
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
