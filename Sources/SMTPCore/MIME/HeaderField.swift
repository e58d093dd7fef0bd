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

    /// Unstructured text (Subject): ASCII is folded at spaces; anything else is a series of encoded-words, each
    /// on its own folded line, every line at most 76 characters (RFC 2047 §2), the first counting `Name: `
    /// (`nameLength`).
    public static func unstructured(_ value: String, nameLength: Int) -> String {
        let clean = sanitized(value)
        if clean.utf8.allSatisfy({ $0 < 128 }) && !clean.contains("=?") { return fold(clean, first: nameLength) }
        return encodedWords(clean, firstLineUsed: nameLength).joined(separator: "\r\n ")
    }

    /// `=?UTF-8?B?...?=` words, split between characters (never inside one, so each decodes on its own) so
    /// that no line is longer than 76 characters: the first after `firstLineUsed` characters, the others after
    /// the one space that continues a folded line.
    public static func encodedWords(_ text: String, firstLineUsed: Int = 1) -> [String] {
        // 12 characters of `=?UTF-8?B?` and `?=`; Base64 gives 4 characters for every 3 bytes.
        func room(_ used: Int) -> Int { max(3, (76 - used - 12) / 4 * 3) }
        var words: [String] = []
        var chunk: [UInt8] = []
        var limit = room(firstLineUsed)
        // By Unicode scalar, not by grapheme: one long cluster (an emoji sequence) still fits its lines, and
        // no scalar's UTF-8 bytes are ever split.
        for ch in text.unicodeScalars {
            let bytes = Array(String(ch).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > limit {
                words.append("=?UTF-8?B?\(Base64.encode(chunk))?=")
                chunk = []
                limit = room(1)
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Base64.encode(chunk))?=") }
        return words
    }

    /// A mailbox: `Name <local@domain>`, the name quoted or encoded as needed. `used` is what stands before
    /// it on its line (`From: `), so an encoded name's first line stays within 76 characters; the address
    /// goes on a line of its own when it would not fit after the name.
    public static func mailbox(name: String?, address: String, used: Int = 6) -> String {
        let addr = sanitized(address).filter { $0 != " " && $0 != "<" && $0 != ">" }
        guard var raw = name.map(sanitized), !raw.isEmpty else { return "<\(addr)>" }
        // A name is cut at 200 characters, more than any person's: a hostile one (a megabyte in the workers
        // file) costs no more to fold than a real one.
        if raw.count > 200 { raw = String(raw.prefix(200)).trimmingSpaces() }
        if !raw.utf8.allSatisfy({ $0 < 128 }) {
            let (name, column) = phrase(raw, used: used)
            return name + (column + 3 + addr.count > 78 ? "\r\n <\(addr)>" : " <\(addr)>")
        }
        let atext = !raw.contains("=?") && raw.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || "0123456789 !#$%&'*+-/=?^_`{|}~".unicodeScalars.contains($0) }
        let shown = atext ? raw : "\"" + raw.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        return fold(shown, first: used) + (used + shown.count + 3 + addr.count > 78 ? "\r\n <\(addr)>" : " <\(addr)>")
    }

    /// A display name with non-ASCII text (RFC 2047 §5(3)): plain words stay as they are and each run of
    /// other words becomes one encoded-word where it fits (split between characters only when a run is too
    /// long for a line), so that decoders which ignore the space between encoded-words, as the RFC says,
    /// and those which keep it (Python's `email`) read the same name. Folded so no line passes 76.
    /// Returns the folded phrase and the column its last line ends at.
    static func phrase(_ raw: String, used: Int) -> (String, Int) {
        func atom(_ t: Substring) -> Bool {
            t.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || "0123456789!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains($0)) }
        }
        // Each word of the name: an atom, a quoted-string (ASCII with specials such as `,` or `(`), or text to
        // encode; neighbouring words to encode go in one run, their spaces inside it.
        var pieces: [(text: String, encode: Bool)] = []
        for t in raw.split(separator: " ") {
            // Text that looks like an encoded-word is quoted, so no client decodes it.
            let plain = atom(t) && !t.contains("=?") ? String(t) : "\"" + t.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
            // An ASCII word too long for a line cannot be folded (folding is only at spaces): encoded, it can.
            if t.utf8.allSatisfy({ $0 < 128 }) && plain.utf8.count <= 60 {
                pieces.append((plain, false))
            } else if let last = pieces.last, last.encode {
                pieces[pieces.count - 1].text += " " + t
            } else {
                pieces.append((String(t), true))
            }
        }
        var out = ""
        var column = used
        for (i, piece) in pieces.enumerated() {
            var gap = i == 0 ? "" : " "
            if column + gap.count + (piece.encode ? min(piece.text.utf8.count, 20) : piece.text.utf8.count) > 76 || (piece.encode && column > 50) {
                gap = i == 0 && column <= used ? "" : "\r\n "
                if !gap.isEmpty { column = 0 }
            }
            let words = piece.encode ? runWords(piece.text, firstLineUsed: column + (gap.isEmpty ? 0 : 1)) : [piece.text]
            for (k, w) in words.enumerated() {
                let sep = k == 0 ? gap : "\r\n "
                out += sep + w
                column = sep == "\r\n " ? 1 + w.count : column + sep.count + w.count
            }
        }
        return (out, column)
    }

    /// The encoded-words of a run of words: one if it fits, else split after a space where one falls within
    /// the line (the space ends the earlier word, so it is text, not folding), else between characters.
    static func runWords(_ run: String, firstLineUsed: Int) -> [String] {
        let first = encodedWords(run, firstLineUsed: firstLineUsed)
        guard first.count > 1, let space = run.lastIndex(of: " ") else { return first }
        var head = run[...space]
        while encodedWords(String(head), firstLineUsed: firstLineUsed).count > 1, let s = head.dropLast().lastIndex(of: " ") { head = run[...s] }
        guard encodedWords(String(head), firstLineUsed: firstLineUsed).count == 1, head.count < run.count else { return first }
        return encodedWords(String(head), firstLineUsed: firstLineUsed) + runWords(String(run[head.endIndex...]), firstLineUsed: 1)
    }

    /// A structured value of `;`-separated parts (`multipart/mixed; boundary="..."`; with `separator: ""`,
    /// a list such as `References:`), folded between parts so that no line passes 78 characters where a
    /// part allows (RFC 5322 §2.2.3).
    public static func parameters(_ parts: [String], nameLength: Int, separator: String = ";") -> String {
        var out = ""
        var column = nameLength
        for (i, part) in parts.enumerated() {
            let piece = i == parts.count - 1 ? part : part + separator
            if i > 0 {
                if column + 1 + piece.count > 78 {
                    out += "\r\n "
                    column = 1
                } else {
                    out += " "
                    column += 1
                }
            }
            out += piece
            column += piece.count
        }
        return out
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
