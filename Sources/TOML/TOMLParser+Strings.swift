/// String values: basic and literal, single- and multi-line, with escapes.
extension TOMLParser {
    mutating func basicString() throws(TOMLError) -> String {
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw error("unterminated string") }
            if c == 0x0A || c == 0x0D { throw error("unterminated string (strings end on the line they start)") }
            i += 1
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") { try escape(into: &out) } else { out.append(c) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func multilineBasicString() throws(TOMLError) -> String {
        var out: [UInt8] = []
        _ = newline()  // a newline right after the opening quotes is trimmed
        while true {
            guard let c = peek else { throw error("unterminated multi-line string") }
            if c == UInt8(ascii: "\""), peek(1) == c, peek(2) == c {
                i += 3
                // Up to two more quotes belong to the content.
                var extra = 0
                while extra < 2, peek == UInt8(ascii: "\"") { out.append(c); i += 1; extra += 1 }
                break
            }
            if newline() {
                out.append(0x0A)
                continue
            }
            i += 1
            if c == UInt8(ascii: "\\") {
                // Line-ending backslash: trim the newline and following whitespace.
                var j = i
                while j < b.count, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
                if j < b.count, b[j] == 0x0A || b[j] == 0x0D {
                    i = j
                    while true {
                        skipSpaces()
                        if !newline() { break }
                    }
                    continue
                }
                try escape(into: &out)
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func literalString() throws(TOMLError) -> String {
        let start = i
        while let c = peek, c != UInt8(ascii: "'") {
            if c == 0x0A || c == 0x0D { throw error("unterminated string") }
            i += 1
        }
        guard peek != nil else { throw error("unterminated string") }
        let s = String(decoding: b[start..<i], as: UTF8.self)
        i += 1
        return s
    }

    mutating func multilineLiteralString() throws(TOMLError) -> String {
        _ = newline()
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw error("unterminated multi-line string") }
            if c == UInt8(ascii: "'"), peek(1) == c, peek(2) == c {
                i += 3
                var extra = 0
                while extra < 2, peek == UInt8(ascii: "'") { out.append(c); i += 1; extra += 1 }
                break
            }
            if newline() {
                out.append(0x0A)
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func escape(into out: inout [UInt8]) throws(TOMLError) {
        guard let e = peek else { throw error("unterminated escape") }
        i += 1
        switch e {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let n = e == UInt8(ascii: "u") ? 4 : 8
            guard i + n <= b.count, let v = UInt32(String(decoding: b[i..<i + n], as: UTF8.self), radix: 16),
                let scalar = Unicode.Scalar(v)
            else { throw error("invalid unicode escape") }
            i += n
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
        }
    }
}
