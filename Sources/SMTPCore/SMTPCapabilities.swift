/// What a server advertised in its EHLO reply (RFC 5321 §4.1.1.1 and the extensions we use).
public struct SMTPCapabilities: Sendable, Equatable {
    public var startTLS = false
    public var pipelining = false
    /// `SIZE n`: the largest message the server takes (0: it did not say).
    public var size: Int?
    public var eightBitMIME = false
    /// SASL mechanisms offered by `AUTH`, upper case.
    public var authMechanisms: Set<String> = []

    public init() {}

    /// Reads the lines of a 250 reply to EHLO (the first line is the greeting and is skipped).
    public init(ehlo reply: SMTPReply) {
        for line in reply.lines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            switch keyword {
            case "STARTTLS": startTLS = true
            case "PIPELINING": pipelining = true
            case "8BITMIME": eightBitMIME = true
            case "SIZE": size = words.count > 1 ? Int(words[1]) ?? 0 : 0
            case "AUTH": authMechanisms.formUnion(words.dropFirst())
            default:
                // Some old servers say AUTH=LOGIN PLAIN.
                if keyword.hasPrefix("AUTH=") {
                    authMechanisms.insert(String(keyword.dropFirst(5)))
                    authMechanisms.formUnion(words.dropFirst())
                }
            }
        }
    }
}
