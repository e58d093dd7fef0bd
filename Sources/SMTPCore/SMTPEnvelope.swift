/// One message to send: the envelope (RFC 5321 reverse-path and forward-paths) and the RFC 5322 text.
public struct SMTPEnvelope: Sendable, Equatable {
    /// The caller's handle for this message, returned with its result.
    public var id: Int
    public var from: String
    public var recipients: [String]
    /// The message as composed (headers, blank line, body), lines ending in CRLF; dot-stuffed when sent.
    public var message: [UInt8]

    public init(id: Int, from: String, recipients: [String], message: [UInt8]) {
        self.id = id
        self.from = from
        self.recipients = recipients
        self.message = message
    }

    /// `local@domain` in printable ASCII, without spaces, angle brackets or line breaks: anything else could
    /// change the meaning of the command it is written into.
    public static func isValidAddress(_ a: String) -> Bool { EmailAddress.problem(a) == nil }

    /// The message as it goes after DATA: bare LF and CR made CRLF, a leading dot doubled (RFC 5321
    /// §4.5.2), a final CRLF ensured, then the terminating `.` line.
    public static func dataBlock(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 64 + 8)
        var atLineStart = true
        var i = 0
        while i < message.count {
            let b = message[i]
            if b == 13 || b == 10 {
                out += [13, 10]
                if b == 13, i + 1 < message.count, message[i + 1] == 10 { i += 1 }
                atLineStart = true
            } else {
                if atLineStart && b == UInt8(ascii: ".") { out.append(b) }
                out.append(b)
                atLineStart = false
            }
            i += 1
        }
        if !atLineStart { out += [13, 10] }
        out += [UInt8(ascii: "."), 13, 10]
        return out
    }
}

/// What the server said about one message: sent to `accepted` (with the server's final reply), or failed.
public struct SMTPDelivery: Sendable, Equatable {
    public var id: Int
    public var accepted: [String]
    /// Recipients the server refused, each with its reply; the message went to the others.
    public var refused: [Refusal]
    public var reply: SMTPReply

    public struct Refusal: Sendable, Equatable {
        public var recipient: String
        public var reply: SMTPReply
    }
}
