import Foundation
import Testing
@testable import SMTPCore

/// Decoders used only to check what the composer wrote.
func decodeQuotedPrintable(_ s: String) -> String {
    var out: [UInt8] = []
    let b = Array(s.utf8)
    var i = 0
    while i < b.count {
        if b[i] == UInt8(ascii: "="), i + 2 < b.count, b[i + 1] == 13, b[i + 2] == 10 {
            i += 3
        } else if b[i] == UInt8(ascii: "="), i + 2 < b.count, let v = UInt8(String(decoding: b[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
            out.append(v)
            i += 3
        } else {
            out.append(b[i])
            i += 1
        }
    }
    return String(decoding: out, as: UTF8.self)
}

func decodeEncodedWords(_ s: String) -> String {
    s.components(separatedBy: "\r\n ").flatMap { $0.split(separator: " ") }.map { w -> String in
        guard w.hasPrefix("=?UTF-8?B?"), w.hasSuffix("?=") else { return String(w) }
        return String(decoding: Base64.decode(String(w.dropFirst(10).dropLast(2))) ?? [], as: UTF8.self)
    }.joined()
}

@Suite struct MailMessageTests {
    func sample(subject: String = "Overdue: visit within 72 hours", text: String = "Case C-1001 (A.B.)\nDue 24 Nov 2026",
                name: String? = "Sam Worker") -> MailMessage {
        MailMessage(
            from: .init(name: "permanenced", address: "pd@council.example"), to: [.init(name: name, address: "sam@council.example")],
            subject: subject, date: "Mon, 23 Nov 2026 19:05:00 +0000", messageID: "digest.42@pd.council.example",
            text: text, html: "<p>Case C-1001</p>",
            attachments: [.init(filename: "deadlines.ics", contentType: "text/calendar; method=PUBLISH", content: Array("BEGIN:VCALENDAR\r\n".utf8))],
            extraHeaders: [("Auto-Submitted", "auto-generated")])
    }

    @Test func headersAndStructure() {
        let m = String(decoding: sample().render(), as: UTF8.self)
        let (head, _) = split(m)
        #expect(head.contains("\r\nFrom: permanenced <pd@council.example>\r\n"))
        #expect(head.contains("\r\nTo: Sam Worker <sam@council.example>\r\n"))
        #expect(head.contains("\r\nSubject: Overdue: visit within 72 hours\r\n"))
        #expect(head.contains("\r\nMessage-ID: <digest.42@pd.council.example>\r\n"))
        #expect(head.contains("\r\nAuto-Submitted: auto-generated"))
        #expect(head.hasPrefix("Date: Mon, 23 Nov 2026 19:05:00 +0000\r\n"))
        #expect(m.contains("Content-Type: multipart/mixed;"))
        #expect(m.contains("Content-Type: multipart/alternative;"))
        #expect(m.contains("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable"))
        #expect(m.contains("Content-Type: text/html; charset=UTF-8"))
        #expect(m.contains("Content-Disposition: attachment; filename=\"deadlines.ics\""))
        // Every boundary that opens is closed.
        #expect(m.contains("--=_pd_") && m.split(separator: "\r\n").filter { $0.hasPrefix("--=_pd_") && $0.hasSuffix("--") }.count == 2)
    }

    @Test(arguments: ["Visit\r\nBcc: victim@example.org", "Visit\nX-Injected: 1", "Visit\rX-Injected: 1", "Visit\u{85}X: 1"])
    func noValueCanStartAHeader(_ subject: String) {
        let m = String(decoding: sample(subject: subject, name: "Sam\r\nBcc: x@y.org").render(), as: UTF8.self)
        let (head, _) = split(m)
        for line in head.components(separatedBy: "\r\n") {
            #expect(!line.hasPrefix("Bcc:") && !line.hasPrefix("X-Injected:") && !line.hasPrefix("X:"), "line: \(line)")
        }
    }

    /// Found by `scripts/fuzz` (mime-header): a long non-ASCII display name made one line of over 1,000
    /// octets. Every line of a header stays within RFC 5322's 998, whatever the name.
    @Test(arguments: [String(repeating: "\u{FFFD}", count: 300), String(repeating: "é", count: 600), String(repeating: "a", count: 2000), String(repeating: "a b\"", count: 700)])
    func everyHeaderLineStaysWithin998Octets(name: String) {
        for header in [HeaderField.mailbox(name: name, address: "w@example.org"), HeaderField.unstructured(name, nameLength: 9)] {
            for line in header.split(separator: "\r\n", omittingEmptySubsequences: false) {
                #expect(line.utf8.count <= 998, "\(line.utf8.count) octets")
                #expect(line.utf8.allSatisfy { $0 == 9 || ($0 >= 32 && $0 < 127) })
            }
        }
    }

    @Test func nonASCIISubjectsAndNamesAreEncodedWords() {
        let subject = "Révision du plan — échéance dépassée pour l’enfant, avec un très long sujet qui doit être plié"
        let m = String(decoding: sample(subject: subject, name: "Zoë Ó Briain").render(), as: UTF8.self)
        let (head, _) = split(m)
        #expect(head.utf8.allSatisfy { $0 < 128 })
        let subjectField = head.components(separatedBy: "\r\nSubject: ")[1].components(separatedBy: "\r\nMessage-ID")[0]
        #expect(decodeEncodedWords(subjectField) == subject)
        for word in subjectField.components(separatedBy: "\r\n ") { #expect(word.count <= 75) }
        #expect(head.contains("=?UTF-8?B?"))
    }

    @Test func textSurvivesQuotedPrintable() {
        let text = "Réunion à 09:00 = très important.\n.leading dot\nTrailing space \n" + String(repeating: "long line ", count: 200)
        let encoded = QuotedPrintable.encode(text)
        #expect(decodeQuotedPrintable(encoded) == text.replacingLineBreaksWithCRLF())
        for line in encoded.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76) }
        #expect(encoded.utf8.allSatisfy { $0 < 128 })
    }

    @Test func everyLineOfAMessageIsShort() {
        let m = String(decoding: sample(subject: String(repeating: "x", count: 2000), text: String(repeating: "é", count: 5000)).render(), as: UTF8.self)
        for line in m.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 998) }
        #expect(!m.contains("\n\n") && !m.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    }

    @Test func icalendarEscapesAndFolds() {
        let cal = ICalendar(stamp: "20261123T190500Z", events: [
            .init(uid: "C-1001.visit@pd", start: "20261124", end: "20261125", summary: "Visit, child; C-1001",
                  description: "Line one\nLine two with a long tail " + String(repeating: "ü", count: 60)),
            .init(uid: "C-1002.review@pd", start: "20261124T083000Z", end: "20261124T090000Z", summary: "Review", description: "x"),
        ])
        let text = cal.render()
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(text.contains("DTSTART;VALUE=DATE:20261124\r\nDTEND;VALUE=DATE:20261125"))
        #expect(text.contains("DTSTART:20261124T083000Z"))
        #expect(text.contains("SUMMARY:Visit\\, child\\; C-1001"))
        #expect(text.contains("DESCRIPTION:Line one\\nLine two"))
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75) }
        // Unfolding gives back whole lines; no character was split.
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains(String(repeating: "ü", count: 60)))
        #expect(text.hasSuffix("END:VCALENDAR\r\n"))
    }

    func split(_ m: String) -> (String, String) {
        let parts = m.components(separatedBy: "\r\n\r\n")
        return (parts[0], parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}

extension String {
    func replacingLineBreaksWithCRLF() -> String {
        replacingLineBreaks().map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\r\n")
    }
}
