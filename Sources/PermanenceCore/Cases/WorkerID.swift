/// Worker ids: what a worker is known by in cases, assignments and the outbox.
///
/// 1 to 64 characters from `A-Z a-z 0-9 . _ @ -`, starting with a letter or digit: enough for the ids case
/// management systems export (`s.patel`, `JSMITH01`, `k.jones@council`), and nothing that could be read
/// as a separator (`,` `;` `=` space) or a control character in a list of recipients, a journal field or
/// an email header.
public enum WorkerID {
    public static let maxLength = 64

    /// Why `id` is not a valid worker id, or nil if it is.
    public static func problem(_ id: String) -> String? {
        guard !id.isEmpty else { return "empty; give the worker's id" }
        guard id.utf8.count <= maxLength else { return "'\(id.prefix(20))…' is longer than \(maxLength) characters" }
        if let bad = id.unicodeScalars.first(where: { !allowed($0) }) {
            let shown = bad.value < 0x20 || bad.value == 0x7F ? control(bad.value) : "'\(bad)'"
            return "'\(visible(id))' contains \(shown): worker ids use letters, digits, '.', '_', '@' and '-' only"
        }
        guard let first = id.unicodeScalars.first, isAlphanumeric(first) else {
            return "'\(id)' must start with a letter or digit"
        }
        return nil
    }

    static func allowed(_ c: Unicode.Scalar) -> Bool { isAlphanumeric(c) || c == "." || c == "_" || c == "@" || c == "-" }

    static func isAlphanumeric(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }

    static func control(_ v: UInt32) -> String {
        let hex = String(v, radix: 16, uppercase: true)
        return "a control character (U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ")"
    }

    static func visible(_ id: String) -> String {
        String(String.UnicodeScalarView(id.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
    }
}
