import Testing
@testable import SMTPCore

/// Drives the machine with scripted server lines and keeps what it wrote and reported.
struct Conversation {
    var machine: SMTPStateMachine
    var written: [String] = []
    var transcript: [String] = []
    var outcomes: [Int: Result<SMTPDelivery, SMTPError>] = [:]
    var startedTLS = false
    var closed: SMTPError?? = nil

    init(_ settings: SMTPSettings, loopback: Bool = false, messages: [SMTPEnvelope] = [], quit: Bool = true) {
        machine = SMTPStateMachine(settings: settings, peerIsLoopback: loopback)
        for m in messages { take(machine.send(m)) }
        if quit { take(machine.quit()) }
    }

    mutating func take(_ actions: [SMTPStateMachine.Action]) {
        for a in actions {
            switch a {
            case .write(let bytes, let lines):
                written.append(String(decoding: bytes, as: UTF8.self))
                transcript += lines
            case .startTLS: startedTLS = true
            case .sessionReady: break
            case .delivered(let d): outcomes[d.id] = .success(d)
            case .messageFailed(let id, let e): outcomes[id] = .failure(e)
            case .close(let e): closed = .some(e)
            }
        }
    }

    /// Feeds server lines; returns what the client wrote in answer.
    @discardableResult
    mutating func server(_ lines: String...) -> [String] {
        let before = written.count
        for l in lines { take(machine.received(line: l)) }
        return Array(written[before...])
    }

    mutating func greet(_ ehlo: [String] = ["250 relay"]) {
        server("220 relay ESMTP")
        for l in ehlo { server(l) }
    }
}

func message(_ id: Int, to: [String] = ["worker@example.org"], body: String = "Subject: t\r\n\r\nhello\r\n") -> SMTPEnvelope {
    SMTPEnvelope(id: id, from: "permanenced@example.org", recipients: to, message: Array(body.utf8))
}

@Suite struct SMTPStateMachineTests {
    let plain = SMTPSettings(host: "relay", port: 25, tls: .none, heloName: "pd.example")

    @Test func aWholeSessionWithoutPipelining() throws {
        var c = Conversation(plain, messages: [message(1, body: "Subject: t\r\n\r\n.dot\r\n")])
        #expect(c.server("220 relay ESMTP") == ["EHLO pd.example\r\n"])
        #expect(c.server("250-relay", "250 8BITMIME") == ["MAIL FROM:<permanenced@example.org>\r\n"])
        #expect(c.server("250 ok") == ["RCPT TO:<worker@example.org>\r\n"])
        #expect(c.server("250 ok") == ["DATA\r\n"])
        #expect(c.server("354 go") == ["Subject: t\r\n\r\n..dot\r\n.\r\n"])
        #expect(c.server("250 queued as X") == ["QUIT\r\n"])
        #expect(try c.outcomes[1]?.get().reply.code == 250)
        c.server("221 bye")
        #expect(c.closed == .some(nil))
    }

    @Test func pipeliningSendsTheEnvelopeInOneWrite() throws {
        var c = Conversation(plain, messages: [message(1, to: ["a@x.org", "b@x.org"]), message(2)])
        c.greet(["250-relay", "250-PIPELINING", "250 SIZE 10000"])
        #expect(c.written.last == "MAIL FROM:<permanenced@example.org> SIZE=21\r\nRCPT TO:<a@x.org>\r\nRCPT TO:<b@x.org>\r\nDATA\r\n")
        c.server("250 ok", "550 no such user", "250 ok")
        #expect(c.server("354 go") == ["Subject: t\r\n\r\nhello\r\n.\r\n"])
        c.server("250 queued")
        let d = try #require(try c.outcomes[1]?.get())
        #expect(d.accepted == ["b@x.org"])
        #expect(d.refused.map(\.recipient) == ["a@x.org"])
        // The second message goes over the same connection.
        #expect(c.written.last?.hasPrefix("MAIL FROM:") == true)
    }

    @Test func temporaryAndPermanentFailuresAreTold() throws {
        var c = Conversation(plain, messages: [message(1), message(2), message(3)])
        c.greet()
        #expect(c.server("451 try later") == ["MAIL FROM:<permanenced@example.org>\r\n"])
        let first = try #require(c.outcomes[1])
        guard case .failure(let e1) = first else { Issue.record("expected a failure"); return }
        #expect(e1.isTemporary)
        c.server("250 ok")
        // Every recipient refused: the transaction is reset and the message fails for good.
        #expect(c.server("550 unknown user") == ["RSET\r\n"])
        guard case .failure(let e2)? = c.outcomes[2] else { Issue.record("expected a failure"); return }
        #expect(!e2.isTemporary)
        #expect(e2.reply?.code == 550)
        #expect(c.server("250 reset") == ["MAIL FROM:<permanenced@example.org>\r\n"])
        c.server("250 ok", "250 ok", "354 go", "250 ok")
        #expect(try c.outcomes[3]?.get().accepted == ["worker@example.org"])
    }

    @Test func pipelinedDataAcceptedWithoutRecipientsIsEndedWithALoneDot() {
        var c = Conversation(plain, messages: [message(1)])
        c.greet(["250-relay", "250 PIPELINING"])
        c.server("250 ok", "550 nobody")
        #expect(c.server("354 go") == [".\r\n"])
        #expect(c.server("554 no valid recipients") == ["QUIT\r\n"])
        guard case .failure(let e)? = c.outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(e.reply?.code == 550)
    }

    @Test func starttlsIsRequiredByDefault() {
        var settings = plain
        settings.tls = .starttls
        var c = Conversation(settings, messages: [message(1)])
        c.greet(["250-relay", "250 AUTH PLAIN"])
        #expect(c.written.last == "QUIT\r\n")
        guard case .failure(let e)? = c.outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(!e.isTemporary)
        #expect(e.description.contains("STARTTLS"))
        #expect(!c.startedTLS)
    }

    @Test func starttlsThenEHLOAgainThenAuth() {
        var settings = plain
        settings.tls = .starttls
        settings.credentials = .init(username: "pd", secret: "s3cret")
        var c = Conversation(settings, messages: [message(1)])
        c.greet(["250-relay", "250 STARTTLS"])
        #expect(c.written.last == "STARTTLS\r\n")
        // A reply smuggled in before the handshake completes is refused (STARTTLS command injection).
        var injected = c
        injected.server("220 go ahead")
        #expect(injected.startedTLS)
        injected.server("250 smuggled")
        #expect(injected.closed != nil)
        c.server("220 go ahead")
        #expect(c.startedTLS)
        c.take(c.machine.tlsEstablished())
        #expect(c.written.last == "EHLO pd.example\r\n")
        c.server("250-relay", "250 AUTH LOGIN PLAIN")
        #expect(c.written.last == "AUTH PLAIN \(Base64.encode("\0pd\0s3cret"))\r\n")
        #expect(c.transcript.last == "C: AUTH PLAIN ********")
        #expect(c.server("235 ok") == ["MAIL FROM:<permanenced@example.org>\r\n"])
    }

    @Test func authIsNeverSentInClearExceptOnLoopback() {
        var settings = plain
        settings.credentials = .init(username: "pd", secret: "s3cret")
        var remote = Conversation(settings, loopback: false, messages: [message(1)])
        remote.greet(["250-relay", "250 AUTH PLAIN"])
        #expect(!remote.written.contains { $0.hasPrefix("AUTH") })
        guard case .failure(let e)? = remote.outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(e.description.contains("without TLS"))
        var local = Conversation(settings, loopback: true, messages: [message(1)])
        local.greet(["250-relay", "250 AUTH PLAIN"])
        #expect(local.written.last?.hasPrefix("AUTH PLAIN ") == true)
    }

    @Test func authLogin() {
        var settings = plain
        settings.credentials = .init(username: "pd", secret: "s3cret", mechanism: .login)
        var c = Conversation(settings, loopback: true, messages: [message(1)])
        c.greet(["250-relay", "250 AUTH LOGIN PLAIN"])
        #expect(c.written.last == "AUTH LOGIN\r\n")
        #expect(c.server("334 VXNlcm5hbWU6") == ["\(Base64.encode("pd"))\r\n"])
        #expect(c.server("334 UGFzc3dvcmQ6") == ["\(Base64.encode("s3cret"))\r\n"])
        #expect(!c.transcript.joined().contains(Base64.encode("s3cret")))
        #expect(c.server("235 ok").first?.hasPrefix("MAIL FROM") == true)
    }

    @Test func xoauth2RefusalIsPermanent() {
        var settings = plain
        settings.credentials = .init(username: "pd@example.org", secret: "token", mechanism: .xoauth2)
        var c = Conversation(settings, loopback: true, messages: [message(1)])
        c.greet(["250-relay", "250 AUTH XOAUTH2"])
        #expect(c.written.last == "AUTH XOAUTH2 \(Base64.encode("user=pd@example.org\u{1}auth=Bearer token\u{1}\u{1}"))\r\n")
        #expect(c.server("334 eyJzdGF0dXMiOiI0MDEifQ==") == ["\r\n"])
        c.server("535 5.7.8 Username and Password not accepted")
        guard case .failure(let e)? = c.outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(!e.isTemporary)
        #expect(e.reply?.code == 535)
        // Permanent for the login, but a problem with the relay, not with the message: the daemon keeps it.
        #expect(e.isRelayProblem)
    }

    @Test func relayProblemsAreTheLoginTLSAndSecurityNotTheMessage() {
        var settings = plain
        settings.tls = .starttls
        var c = Conversation(settings, messages: [message(1), message(2)])
        c.greet(["250-relay", "250 STARTTLS"])
        c.server("220 go ahead")
        c.take(c.machine.tlsFailed("certificate verify failed"))
        for id in [1, 2] {
            guard case .failure(let e)? = c.outcomes[id] else { Issue.record("expected a failure"); return }
            #expect(e.isRelayProblem && e.isTemporary)
            #expect(e.description == "TLS failed: certificate verify failed")
        }
        // A refused recipient is the message's problem, not the relay's.
        var r = Conversation(plain, messages: [message(1)])
        r.greet()
        r.server("250 ok")
        r.server("550 no such user")
        guard case .failure(let refused)? = r.outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(!refused.isRelayProblem)
        // No STARTTLS offered: every message would fail alike.
        var n = Conversation(settings, messages: [message(1)])
        n.greet(["250 relay"])
        guard case .failure(let missing)? = n.outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(missing.isRelayProblem)
    }

    @Test func unsafeAddressesAndOversizeMessagesNeverReachTheWire() {
        var c = Conversation(plain, messages: [
            message(1, to: ["a@b.org>\r\nRCPT TO:<evil@x.org"]),
            message(2, body: String(repeating: "x", count: 200)),
            message(3),
        ])
        c.greet(["250-relay", "250 SIZE 100"])
        #expect(!c.written.joined().contains("evil"))
        guard case .failure(let e1)? = c.outcomes[1], case .failure(let e2)? = c.outcomes[2] else {
            Issue.record("expected failures"); return
        }
        #expect(!e1.isTemporary && !e2.isTemporary)
        #expect(c.written.last == "MAIL FROM:<permanenced@example.org> SIZE=21\r\n")
    }

    @Test func timeoutsFollowRFC5321AndFailTemporarily() {
        var c = Conversation(plain, messages: [message(1)])
        #expect(c.machine.currentTimeout?.seconds == 300)
        c.greet()
        c.server("250 ok", "250 ok")
        #expect(c.machine.currentTimeout?.seconds == 120)
        c.server("354 go")
        #expect(c.machine.currentTimeout?.seconds == 600)
        c.take(c.machine.timedOut())
        guard case .failure(let e)? = c.outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(e.isTemporary)
        #expect(c.closed != nil)
    }

    @Test func aDroppedConnectionFailsEveryMessageTemporarily() {
        var c = Conversation(plain, messages: [message(1), message(2)])
        c.greet()
        c.server("250 ok", "250 ok", "354 go")
        c.take(c.machine.connectionClosed())
        for id in [1, 2] {
            guard case .failure(let e)? = c.outcomes[id] else { Issue.record("expected a failure for \(id)"); continue }
            #expect(e.isTemporary)
        }
    }

    @Test func aRejectedGreetingEndsTheSession() {
        var c = Conversation(plain, messages: [message(1)])
        c.server("554 no service")
        guard case .failure(let e)? = c.outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(!e.isTemporary)
        #expect(c.closed != nil)
    }

    @Test func heloForAnOldServerWithoutEHLO() throws {
        var c = Conversation(plain, messages: [message(1)])
        c.server("220 old")
        #expect(c.server("502 what?") == ["HELO pd.example\r\n"])
        #expect(c.server("250 hi") == ["MAIL FROM:<permanenced@example.org>\r\n"])
    }
}
