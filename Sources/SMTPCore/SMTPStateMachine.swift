/// The client side of an SMTP session (RFC 5321) as a pure state machine: no sockets, no clock. The channel
/// handler feeds it replies and connection events, and runs the actions it returns: bytes to write, start
/// TLS, report a message's result, close.
///
/// It does EHLO (HELO only on a plain connection without AUTH), STARTTLS and EHLO again, AUTH PLAIN, LOGIN
/// and XOAUTH2, PIPELINING when offered (RFC 2920), SIZE, any number of messages over one connection, RSET
/// after a failed transaction, and QUIT.
public struct SMTPStateMachine: Sendable {
    /// What the I/O layer must do next.
    public enum Action: Sendable, Equatable {
        /// Write these bytes. `transcript` is what they say, with secrets masked, for logs and `send-test`.
        case write([UInt8], transcript: [String])
        /// Start the TLS handshake on this connection; call `tlsEstablished()` when it completes.
        case startTLS
        /// The session is open (greeted, secured, authenticated) and messages can be sent.
        case sessionReady(SMTPCapabilities)
        case delivered(SMTPDelivery)
        case messageFailed(id: Int, SMTPError)
        /// The session is over: close the connection. A failure says why; every queued message has been failed.
        case close(SMTPError?)
    }

    enum State: Sendable {
        case greeting
        case ehlo
        case helo
        case startTLS
        case handshake
        case auth(AuthStep)
        case ready
        case transaction(Transaction)
        case reset
        case quitting
        case closed
    }

    enum AuthStep: Sendable {
        case plain, loginUser, loginPassword, loginResult, xoauth2, xoauth2Error
    }

    let settings: SMTPSettings
    /// The peer is on loopback: AUTH may then go without TLS when the admin chose `tls = "none"`.
    let peerIsLoopback: Bool
    var state: State = .greeting
    var secure: Bool
    public internal(set) var capabilities = SMTPCapabilities()
    var parser = SMTPReplyParser()
    var queue: [SMTPEnvelope] = []
    var quitWhenIdle = false

    /// `secure` is true when the connection is already TLS (implicit TLS, port 465).
    public init(settings: SMTPSettings, peerIsLoopback: Bool) {
        self.settings = settings
        self.peerIsLoopback = peerIsLoopback
        secure = settings.tls == .tls
    }

    /// True once the greeting, TLS and AUTH are done and no message is in flight.
    public var isIdle: Bool {
        if case .ready = state { return queue.isEmpty }
        return false
    }

    // MARK: Events from the I/O layer

    /// Complete replies received so far. The I/O layer restarts the timeout only when this moves (or the
    /// machine sends something): `currentTimeout` is a deadline for the whole reply, so a server that
    /// trickles one continuation line at a time cannot hold a session open for ever.
    public private(set) var repliesReceived = 0

    /// One line from the server, without its CRLF.
    public mutating func received(line: String) -> [Action] {
        let reply: SMTPReply
        do {
            guard let r = try parser.feed(line) else { return [] }
            reply = r
            repliesReceived += 1
        } catch {
            return fail(SMTPError(.malformedReply(error.description)))
        }
        return received(reply)
    }

    /// The TLS handshake asked for by `.startTLS` completed: greet again (RFC 3207 §4.2).
    public mutating func tlsEstablished() -> [Action] {
        guard case .handshake = state else { return [] }
        secure = true
        capabilities = SMTPCapabilities()
        state = .ehlo
        return [command("EHLO \(settings.heloName)")]
    }

    /// Queues a message; it is sent once the session is ready and the messages before it are done.
    public mutating func send(_ envelope: SMTPEnvelope) -> [Action] {
        if case .closed = state {
            return [.messageFailed(id: envelope.id, .connection("the connection is closed"))]
        }
        queue.append(envelope)
        if case .ready = state { return nextMessage() }
        return []
    }

    /// Ends the session politely once every queued message is done.
    public mutating func quit() -> [Action] {
        quitWhenIdle = true
        if case .ready = state { return nextMessage() }
        return []
    }

    /// The connection closed (or failed) under us.
    public mutating func connectionClosed(_ why: String = "the server closed the connection") -> [Action] {
        lost(.connection(why))
    }

    /// The TLS handshake failed or the certificate could not be verified.
    public mutating func tlsFailed(_ why: String) -> [Action] { lost(.tls(why)) }

    /// The connection is gone: after QUIT that is the end of the session, otherwise every message in hand fails.
    private mutating func lost(_ error: SMTPError) -> [Action] {
        switch state {
        case .closed: return []
        case .quitting:
            state = .closed
            return [.close(nil)]
        default: return fail(error, quitFirst: false)
        }
    }

    /// The server has not answered within `currentTimeout`.
    public mutating func timedOut() -> [Action] {
        guard let t = currentTimeout else { return [] }
        if case .quitting = state {
            state = .closed
            return [.close(nil)]
        }
        return fail(.timeout("within \(Int(t.seconds)) seconds \(t.waitingFor)"), quitFirst: false)
    }

    /// How long to wait for the server now, and for what (RFC 5321 §4.5.3.2); nil while idle.
    public var currentTimeout: (seconds: Double, waitingFor: String)? {
        let t = settings.timeouts
        switch state {
        case .greeting: return (t.greeting, "for the greeting")
        case .ehlo, .helo: return (t.command, "to EHLO")
        case .startTLS, .handshake: return (t.command, "to STARTTLS")
        case .auth: return (t.command, "to AUTH")
        case .reset: return (t.command, "to RSET")
        case .quitting: return (t.command, "to QUIT")
        case .ready, .closed: return nil
        case .transaction(let tx):
            switch tx.expected.first {
            case .mail?: return (t.mail, "to MAIL")
            case .rcpt?: return (t.rcpt, "to RCPT")
            case .data?: return (t.dataInitiation, "to DATA")
            case .body?: return (t.dataTermination, "after the message was sent")
            case nil: return nil
            }
        }
    }

    // MARK: Writing

    func command(_ text: String, transcript: String? = nil) -> Action {
        .write(Array((text + "\r\n").utf8), transcript: ["C: " + (transcript ?? text)])
    }

    /// Fails the session: every queued and in-flight message fails with `error`, then the connection is
    /// closed (after a QUIT when the connection is still usable).
    mutating func fail(_ error: SMTPError, quitFirst: Bool = true) -> [Action] {
        var actions: [Action] = []
        if case .transaction(let tx) = state { actions.append(.messageFailed(id: tx.envelope.id, error)) }
        for m in queue { actions.append(.messageFailed(id: m.id, error)) }
        queue = []
        var usable = true
        if case .closed = state { usable = false }
        if quitFirst && usable { actions.append(command("QUIT")) }
        state = .closed
        actions.append(.close(error))
        return actions
    }
}
