import Testing
@testable import SMTPCore

@Suite struct SMTPReplyTests {
    @Test func multiLineRepliesAreAssembled() throws {
        var p = SMTPReplyParser()
        #expect(try p.feed("250-mail.example.org Hello") == nil)
        #expect(try p.feed("250-PIPELINING") == nil)
        let r = try #require(try p.feed("250 SIZE 1000"))
        #expect(r.code == 250)
        #expect(r.lines == ["mail.example.org Hello", "PIPELINING", "SIZE 1000"])
        // The parser starts afresh after a complete reply.
        #expect(try p.feed("354 go ahead") == SMTPReply(code: 354, lines: ["go ahead"]))
        #expect(try p.feed("221") == SMTPReply(code: 221, lines: [""]))
    }

    @Test(arguments: ["hello", "25", "250x", "650 nope", "2a0 bad", ""])
    func malformedLinesAreRefused(_ line: String) {
        var p = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.MalformedReply.self) { try p.feed(line) }
    }

    @Test func aContinuationWithAnotherCodeIsRefused() throws {
        var p = SMTPReplyParser()
        _ = try p.feed("250-first")
        #expect(throws: SMTPReplyParser.MalformedReply.self) { try p.feed("550 second") }
    }

    @Test func classesFollowTheFirstDigit() {
        #expect(SMTPReply(code: 250, lines: []).isPositive)
        #expect(SMTPReply(code: 451, lines: []).isTransient)
        #expect(SMTPReply(code: 554, lines: []).isPermanent)
        #expect(!SMTPReply(code: 554, lines: []).isTransient)
    }

    @Test func capabilitiesAreReadFromEHLO() {
        let reply = SMTPReply(code: 250, lines: [
            "relay.example Hello", "PIPELINING", "SIZE 35882577", "STARTTLS", "AUTH LOGIN PLAIN", "AUTH=XOAUTH2", "8BITMIME",
        ])
        let c = SMTPCapabilities(ehlo: reply)
        #expect(c.pipelining && c.startTLS && c.eightBitMIME)
        #expect(c.size == 35_882_577)
        #expect(c.authMechanisms == ["LOGIN", "PLAIN", "XOAUTH2"])
        #expect(SMTPCapabilities(ehlo: SMTPReply(code: 250, lines: ["only a greeting"])) == SMTPCapabilities())
    }

    @Test func base64RoundTrips() {
        #expect(Base64.encode("\0user\0secret") == "AHVzZXIAc2VjcmV0")
        #expect(Base64.encode("ab") == "YWI=")
        #expect(Base64.encode("a") == "YQ==")
        for s in ["", "a", "ab", "abc", "héllo wörld ✓"] {
            #expect(Base64.decode(Base64.encode(s)) == Array(s.utf8))
        }
        #expect(Base64.decode("not*base64") == nil)
    }

    @Test func dataBlockStuffsDotsAndEndsLines() {
        let message = Array("Subject: x\r\n\r\n.hidden\nline\r.\r\n..two\r\nlast".utf8)
        let block = String(decoding: SMTPEnvelope.dataBlock(message), as: UTF8.self)
        #expect(block == "Subject: x\r\n\r\n..hidden\r\nline\r\n..\r\n...two\r\nlast\r\n.\r\n")
    }

    @Test(arguments: ["a@b.example", "first.last+tag@example.org"])
    func validAddresses(_ a: String) { #expect(SMTPEnvelope.isValidAddress(a)) }

    @Test(arguments: ["no-at-sign", "@example.org", "a@", "a b@example.org", "a@b>\r\nRCPT TO:<x@y", "émile@example.org", "<a@b.c>"])
    func invalidAddresses(_ a: String) { #expect(!SMTPEnvelope.isValidAddress(a)) }
}
