extension TOMLValue {
    /// The value written back as TOML on one line (tables inline), so that parsing it gives the same value:
    /// what `check-config --show-rule` prints.
    public var inlineText: String {
        switch self {
        case .string(let s): return TOMLValue.quoted(s)
        case .integer(let i): return String(i)
        case .float(let f): return f.isNaN ? "nan" : f.isInfinite ? (f < 0 ? "-inf" : "inf") : "\(f)"
        case .boolean(let b): return b ? "true" : "false"
        case .dateTime(let s): return s
        case .array(let items): return "[" + items.map(\.value.inlineText).joined(separator: ", ") + "]"
        case .table(let t):
            if t.keys.isEmpty { return "{}" }
            return "{ " + t.keys.map { "\(TOMLValue.key($0)) = \(t[$0]!.value.inlineText)" }.joined(separator: ", ") + " }"
        }
    }

    /// A basic string with every character TOML requires escaped (and other controls as \uXXXX).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let hex = String(u.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A key bare when TOML allows it, quoted otherwise.
    static func key(_ k: String) -> String {
        !k.isEmpty && k.unicodeScalars.allSatisfy({ $0.isASCII && (("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") })
            ? k : quoted(k)
    }
}
