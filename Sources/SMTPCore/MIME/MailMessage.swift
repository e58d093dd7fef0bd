/// An RFC 5322 message with MIME parts (RFC 2045–2049), composed as bytes ready for `SMTPEnvelope`:
/// plain text and, optionally, HTML as `multipart/alternative`, with attachments (an iCalendar file) in
/// `multipart/mixed`. UTF-8 throughout; text parts quoted-printable, attachments Base64, so every line is
/// 7-bit and well within 998 characters.
public struct MailMessage: Sendable {
    public struct Mailbox: Sendable, Equatable {
        public var name: String?
        public var address: String

        public init(name: String? = nil, address: String) {
            self.name = name
            self.address = address
        }
    }

    public struct Attachment: Sendable, Equatable {
        public var filename: String
        /// `text/calendar; method=PUBLISH`, say.
        public var contentType: String
        public var content: [UInt8]

        public init(filename: String, contentType: String, content: [UInt8]) {
            self.filename = filename
            self.contentType = contentType
            self.content = content
        }
    }

    public var from: Mailbox
    public var to: [Mailbox]
    /// Where replies go (`Reply-To:`): a person, since `from` is not read.
    public var replyTo: Mailbox?
    public var subject: String
    /// The `Date:` value, RFC 5322 §3.3 (`Mon, 23 Nov 2026 19:05:00 +0000`).
    public var date: String
    /// The `Message-ID:` without angle brackets (`key@host`).
    public var messageID: String
    public var text: String
    public var html: String?
    public var attachments: [Attachment]
    /// Message-IDs (without angle brackets) this one follows up: `In-Reply-To:` is the last, `References:`
    /// all of them (RFC 5322 §3.6.4), so a mail client threads every email about one thing together.
    public var references: [String]
    /// Further headers (name, value); values are sanitized like every other.
    public var extraHeaders: [(String, String)]

    public init(from: Mailbox, to: [Mailbox], subject: String, date: String, messageID: String, text: String,
                html: String? = nil, attachments: [Attachment] = [], replyTo: Mailbox? = nil, references: [String] = [],
                extraHeaders: [(String, String)] = []) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.references = references
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.text = text
        self.html = html
        self.attachments = attachments
        self.extraHeaders = extraHeaders
    }

    /// A Message-ID's text as it stands between angle brackets: no space, no bracket, nothing unsafe.
    static func messageIDText(_ id: String) -> String {
        HeaderField.sanitized(id).filter { $0 != " " && $0 != "<" && $0 != ">" && $0.isASCII }
    }

    /// The whole message, CRLF line ends; no header line is longer than 78 characters.
    public func render() -> [UInt8] {
        var head: [String] = [
            "Date: \(HeaderField.sanitized(date))",
            "From: \(HeaderField.mailbox(name: from.name, address: from.address, used: 6))",
            "To: \(to.map { HeaderField.mailbox(name: $0.name, address: $0.address, used: 4) }.joined(separator: ",\r\n "))",
        ]
        if let replyTo { head.append("Reply-To: \(HeaderField.mailbox(name: replyTo.name, address: replyTo.address, used: 10))") }
        head += [
            "Subject: \(HeaderField.unstructured(subject, nameLength: 9))",
            "Message-ID: <\(Self.messageIDText(messageID))>",
        ]
        let refs = references.map { "<\(Self.messageIDText($0))>" }
        if let last = refs.last {
            head.append("In-Reply-To: \(last)")
            head.append("References: \(HeaderField.parameters(refs, nameLength: 12, separator: ""))")
        }
        head.append("MIME-Version: 1.0")
        for (name, value) in extraHeaders {
            let safeName = String(name.unicodeScalars.filter { $0.value > 32 && $0.value < 127 && $0 != ":" })
            head.append("\(safeName): \(HeaderField.unstructured(value, nameLength: safeName.count + 2))")
        }
        // "=_" never occurs in quoted-printable or Base64 text, so no part's content can look like the boundary.
        let boundary = "=_pd_" + String(messageID.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.suffix(40))
        let body = bodyPart(boundary: boundary)
        return Array((head.joined(separator: "\r\n") + "\r\n" + body).utf8)
    }

    /// The part's own headers, a blank line and its content.
    func bodyPart(boundary: String) -> String {
        let textPart = "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + QuotedPrintable.encode(text) + "\r\n"
        var alternative = textPart
        if let html {
            let htmlPart = "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + QuotedPrintable.encode(html) + "\r\n"
            alternative = Self.multipart("alternative", boundary: boundary + "_a", parts: [textPart, htmlPart])
        }
        guard !attachments.isEmpty else { return alternative }
        let files = attachments.map { a -> String in
            let name = HeaderField.sanitized(a.filename).filter { $0 != "\"" && $0 != "\\" && $0.isASCII }
            let type = HeaderField.sanitized(a.contentType).split(separator: ";").map { String($0).trimmingSpaces() }
            return "Content-Type: \(HeaderField.parameters(type + ["charset=UTF-8", "name=\"\(name)\""], nameLength: 14))\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: \(HeaderField.parameters(["attachment", "filename=\"\(name)\""], nameLength: 21))\r\n\r\n"
                + Self.wrapped(Base64.encode(a.content)) + "\r\n"
        }
        return Self.multipart("mixed", boundary: boundary + "_m", parts: [alternative] + files)
    }

    static func multipart(_ subtype: String, boundary: String, parts: [String]) -> String {
        var s = "Content-Type: \(HeaderField.parameters(["multipart/\(subtype)", "boundary=\"\(boundary)\""], nameLength: 14))\r\n\r\n"
        for p in parts { s += "--\(boundary)\r\n" + p }
        return s + "--\(boundary)--\r\n"
    }

    /// Base64 in lines of 76 characters.
    static func wrapped(_ s: String) -> String {
        var lines: [Substring] = []
        var rest = Substring(s)
        while !rest.isEmpty {
            lines.append(rest.prefix(76))
            rest = rest.dropFirst(76)
        }
        return lines.joined(separator: "\r\n")
    }
}
