/// An email address as RFC 5321 §4.1.2 writes a mailbox, in the plain form councils use: a dot-atom local
/// part (letters, digits and ``!#$%&'*+-/=?^_`{|}~``, dots between) at a domain of letters, digits and
/// hyphens (or an IPv4 literal). Quoted local parts, comments and display names are refused: a worker's
/// address goes into `RCPT TO:<...>` and a `To:` header as it stands, so `<`, `>`, `,`, spaces and control
/// characters must never be in it.
public enum EmailAddress {
    /// Nil when `address` is a usable mailbox, otherwise why not.
    public static func problem(_ address: String) -> String? {
        let bytes = Array(address.utf8)
        guard bytes.count <= 254 else { return "longer than 254 characters" }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return "has no @" }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard !local.isEmpty, local.count <= 64 else { return "the part before @ must be 1 to 64 characters" }
        let atext = Set(Array("!#$%&'*+-/=?^_`{|}~".utf8))
        func isAlnum(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
        for atom in local.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !atom.isEmpty, atom.allSatisfy({ isAlnum($0) || atext.contains($0) }) else {
                return "the part before @ may hold only letters, digits, dots (not at either end or doubled) and !#$%&'*+-/=?^_`{|}~"
            }
        }
        guard !domain.isEmpty else { return "has no domain after @" }
        if domain.first == UInt8(ascii: "[") {
            let inner = String(decoding: domain.dropFirst().dropLast(), as: UTF8.self)
            let parts = inner.split(separator: ".", omittingEmptySubsequences: false)
            guard domain.last == UInt8(ascii: "]"), parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else {
                return "the domain literal is not an IPv4 address such as [192.0.2.1]"
            }
            return nil
        }
        guard domain.count <= 253 else { return "the domain is longer than 253 characters" }
        for label in domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63, label.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") }),
                label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-")
            else { return "the domain may hold only letters, digits and hyphens, in dot-separated parts" }
        }
        return nil
    }
}
