import Foundation
import SMTPClient
import SMTPCore
import TestSupport
import Testing

/// The real client against a real SMTP server on loopback (aiosmtpd): plain, STARTTLS and implicit TLS with a
/// certificate made for the test, AUTH PLAIN and LOGIN, and servers that fail in the ways relays do.
@Suite(.serialized) struct SMTPClientIntegrationTests {
    static let body = "From: permanenced <pd@example.org>\r\nTo: worker@example.org\r\nSubject: test\r\n\r\n.starts with a dot\r\n..two dots\r\nplain\r\n.\r\nend\r\n"

    func envelope(_ id: Int, to: String = "worker@example.org") -> SMTPEnvelope {
        SMTPEnvelope(id: id, from: "pd@example.org", recipients: [to], message: Array(Self.body.utf8))
    }

    func settings(_ port: Int, tls: SMTPSettings.TLSMode, user: String? = nil, password: String = "s3cret",
                  mechanism: SMTPSettings.AuthMechanism = .auto, timeout: Double = 10) -> SMTPSettings {
        SMTPSettings(host: tls == .none ? "127.0.0.1" : "localhost", port: port, tls: tls, heloName: "pd.test",
                     credentials: user.map { .init(username: $0, secret: password, mechanism: mechanism) },
                     timeouts: .init(all: timeout))
    }

    @Test func plainWithAuthPlainOnLoopbackArrivesByteForByte() async throws {
        let server = try TestSMTPServer(auth: "pd:s3cret")
        defer { server.stop() }
        let client = SMTPClient(settings: settings(server.port, tls: .none, user: "pd"))
        let outcomes = await client.send([envelope(1)])
        guard case .delivered(let d)? = outcomes[1] else { Issue.record("not delivered: \(String(describing: outcomes[1]))"); return }
        #expect(d.accepted == ["worker@example.org"])
        // Dot-stuffing undone by the server gives back exactly what was composed.
        #expect(try server.message(1) == Self.body)
        let env = try server.envelope(1)
        #expect(env["login"] as? String == "pd")
        #expect(env["tls"] as? Bool == false)
    }

    @Test func starttlsWithAuthLoginVerifiesTheCertificate() async throws {
        let cert = try TestCertificate.make()
        let server = try TestSMTPServer(tls: "starttls", certificate: cert, auth: "pd:s3cret")
        defer { server.stop() }
        let transcript = Transcript()
        let client = SMTPClient(settings: settings(server.port, tls: .starttls, user: "pd", mechanism: .login), caFile: cert.cert)
        let outcomes = await client.send([envelope(1), envelope(2), envelope(3)], transcript: transcript.append)
        for id in 1...3 {
            guard case .delivered? = outcomes[id] else { Issue.record("message \(id): \(String(describing: outcomes[id]))"); continue }
        }
        #expect(server.receivedCount == 3)
        #expect(try server.envelope(1)["tls"] as? Bool == true)
        // Three messages, one connection: one greeting, one QUIT.
        #expect(transcript.lines.filter { $0.hasPrefix("S: 220 ") && !$0.contains("TLS") }.count == 1)
        #expect(transcript.lines.filter { $0 == "C: QUIT" }.count == 1)
        #expect(transcript.lines.contains { $0.hasPrefix("TLS established") })
        #expect(!transcript.lines.joined(separator: "\n").contains(Base64.encode("s3cret")))
        #expect(!transcript.lines.joined(separator: "\n").contains("s3cret"))
    }

    @Test func pipelinedMessagesArriveByteForByteOverOneSession() async throws {
        let server = try TestSMTPServer(auth: "pd:s3cret", pipelining: true)
        defer { server.stop() }
        let transcript = Transcript()
        let messages = (1...4).map { id in
            SMTPEnvelope(id: id, from: "pd@example.org", recipients: ["worker@example.org", "unknown@example.org", "tm@example.org"],
                         message: Array(Self.body.utf8))
        }
        let outcomes = await SMTPClient(settings: settings(server.port, tls: .none, user: "pd")).send(messages, transcript: transcript.append)
        for id in 1...4 {
            guard case .delivered(let d)? = outcomes[id] else { Issue.record("message \(id): \(String(describing: outcomes[id]))"); continue }
            #expect(d.accepted == ["worker@example.org", "tm@example.org"])
            #expect(d.refused.map(\.reply.code) == [550])
        }
        #expect(transcript.lines.contains { $0.contains("pipelining: yes") })
        #expect(server.receivedCount == 4)
        for n in 1...4 {
            #expect(try server.message(n) == Self.body)
            #expect(try server.envelope(n)["session"] as? Int == 1)
            #expect(try server.envelope(n)["to"] as? [String] == ["worker@example.org", "tm@example.org"])
        }
    }

    @Test func implicitTLS() async throws {
        let cert = try TestCertificate.make()
        let server = try TestSMTPServer(tls: "implicit", certificate: cert, auth: "pd:s3cret")
        defer { server.stop() }
        let outcomes = await SMTPClient(settings: settings(server.port, tls: .tls, user: "pd"), caFile: cert.cert).send([envelope(1)])
        guard case .delivered? = outcomes[1] else { Issue.record("not delivered: \(String(describing: outcomes[1]))"); return }
        #expect(try server.envelope(1)["tls"] as? Bool == true)
        #expect(try server.message(1) == Self.body)
    }

    @Test func anUntrustedCertificateIsRefusedAndNothingIsSent() async throws {
        let cert = try TestCertificate.make()
        let server = try TestSMTPServer(tls: "starttls", certificate: cert, auth: "pd:s3cret")
        defer { server.stop() }
        // The system store does not trust the test's self-signed certificate.
        let outcomes = await SMTPClient(settings: settings(server.port, tls: .starttls, user: "pd")).send([envelope(1)])
        guard case .failed(let e)? = outcomes[1] else { Issue.record("expected a failure: \(String(describing: outcomes[1]))"); return }
        #expect(e.description.contains("TLS") || e.description.contains("certificate"))
        #expect(server.receivedCount == 0)
    }

    @Test func aWrongPasswordFailsForGood() async throws {
        let server = try TestSMTPServer(auth: "pd:s3cret")
        defer { server.stop() }
        let outcomes = await SMTPClient(settings: settings(server.port, tls: .none, user: "pd", password: "wrong")).send([envelope(1)])
        guard case .failed(let e)? = outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(!e.isTemporary)
        #expect(e.reply?.code == 535)
    }

    @Test func aTemporaryFailureThenAcceptance() async throws {
        let server = try TestSMTPServer(mode: .tempfailFirst)
        defer { server.stop() }
        let client = SMTPClient(settings: settings(server.port, tls: .none))
        let first = await client.send([envelope(1)])
        guard case .failed(let e)? = first[1] else { Issue.record("expected a failure"); return }
        #expect(e.isTemporary)
        #expect(e.reply?.code == 451)
        let second = await client.send([envelope(1)])
        guard case .delivered? = second[1] else { Issue.record("expected delivery on retry"); return }
        #expect(server.receivedCount == 1)
    }

    @Test func aPermanentRefusal() async throws {
        let server = try TestSMTPServer(mode: .reject)
        defer { server.stop() }
        let outcomes = await SMTPClient(settings: settings(server.port, tls: .none)).send([envelope(1)])
        guard case .failed(let e)? = outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(!e.isTemporary)
        #expect(e.reply?.code == 554)
    }

    @Test func anUnknownRecipientIsRefusedAndTheOthersStillGetIt() async throws {
        let server = try TestSMTPServer()
        defer { server.stop() }
        let message = SMTPEnvelope(id: 1, from: "pd@example.org", recipients: ["unknown@example.org", "worker@example.org"],
                                   message: Array(Self.body.utf8))
        let outcomes = await SMTPClient(settings: settings(server.port, tls: .none)).send([message])
        guard case .delivered(let d)? = outcomes[1] else { Issue.record("expected delivery"); return }
        #expect(d.accepted == ["worker@example.org"])
        #expect(d.refused.first?.reply.code == 550)
    }

    @Test func aServerThatStopsAnsweringTimesOut() async throws {
        let server = try TestSMTPServer(mode: .hang)
        defer { server.stop() }
        let start = Date()
        let outcomes = await SMTPClient(settings: settings(server.port, tls: .none, timeout: 1.5)).send([envelope(1)])
        guard case .failed(let e)? = outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(e.isTemporary)
        #expect(e.description.contains("no answer"))
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test func aConnectionDroppedMidDataFailsTemporarily() async throws {
        let server = try TestSMTPServer(mode: .drop)
        defer { server.stop() }
        let outcomes = await SMTPClient(settings: settings(server.port, tls: .none)).send([envelope(1), envelope(2)])
        for id in [1, 2] {
            guard case .failed(let e)? = outcomes[id] else { Issue.record("expected a failure for \(id)"); continue }
            #expect(e.isTemporary)
        }
    }

    @Test func nobodyListeningFailsTemporarily() async throws {
        let outcomes = await SMTPClient(settings: settings(1, tls: .none, timeout: 2)).send([envelope(1)])
        guard case .failed(let e)? = outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(e.isTemporary)
    }

    /// Hostile servers on loopback (`scripts/hostile-smtp-server.py`): each is cut off within the time and
    /// memory limits instead of stalling email for ever or growing the daemon.
    @Test(.timeLimit(.minutes(1)), arguments: [("trickle", "within 1 seconds"), ("flood", "more than 100 lines"), ("longline", "longer than 4 KiB")])
    func aHostileServerIsCutOff(mode: String, fragment: String) async throws {
        let server = try HostileServer(mode: mode)
        defer { server.stop() }
        let start = Date()
        let outcomes = await SMTPClient(settings: settings(server.port, tls: .none, timeout: 1)).send([envelope(1)])
        guard case .failed(let e)? = outcomes[1] else { Issue.record("expected a failure"); return }
        #expect(e.isTemporary)
        #expect(e.description.contains(fragment), "\(e)")
        // A trickle of lines no longer restarts the one-second timer: cut off after about a second.
        #expect(Date().timeIntervalSince(start) < 5)
    }
}

/// `scripts/hostile-smtp-server.py` in one of its modes, for one test.
final class HostileServer {
    let process = Process()
    let stdin = Pipe()
    let port: Int

    init(mode: String) throws {
        port = try startLoopbackServer(
            process, stdin: stdin, arguments: [repositoryRoot.appendingPathComponent("scripts/hostile-smtp-server.py").path, "--mode", mode])
    }

    func stop() {
        guard process.isRunning else { return }
        try? stdin.fileHandleForWriting.close()
        kill(process.processIdentifier, SIGKILL)
    }

    deinit { stop() }
}
