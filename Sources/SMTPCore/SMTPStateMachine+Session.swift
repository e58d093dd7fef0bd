/// Greeting, EHLO, STARTTLS and AUTH.
extension SMTPStateMachine {
    mutating func received(_ reply: SMTPReply) -> [Action] {
        switch state {
        case .greeting:
            guard reply.code == 220 else { return fail(SMTPError(.reply(reply, command: "the connection (greeting)"))) }
            state = .ehlo
            return [command("EHLO \(settings.heloName)")]
        case .ehlo:
            if reply.code == 250 {
                capabilities = SMTPCapabilities(ehlo: reply)
                return afterGreeting()
            }
            // An old server that does not know EHLO: HELO is enough when neither TLS nor AUTH is wanted.
            if [500, 502].contains(reply.code), settings.tls == .none, settings.credentials == nil {
                state = .helo
                return [command("HELO \(settings.heloName)")]
            }
            return fail(SMTPError(.reply(reply, command: "EHLO")))
        case .helo:
            guard reply.code == 250 else { return fail(SMTPError(.reply(reply, command: "HELO"))) }
            capabilities = SMTPCapabilities()
            return sessionReady()
        case .startTLS:
            guard reply.code == 220 else { return fail(SMTPError(.reply(reply, command: "STARTTLS"))) }
            state = .handshake
            return [.startTLS]
        case .handshake:
            return fail(.connection("the server sent a reply during the TLS handshake"))
        case .auth(let step):
            return authenticate(step, reply)
        case .transaction(let tx):
            return transact(tx, reply)
        case .reset:
            state = .ready
            return nextMessage()
        case .quitting:
            state = .closed
            return [.close(nil)]
        case .ready, .closed:
            // 421 when idle: the server is closing the connection.
            if reply.code == 421, case .ready = state { return fail(SMTPError(.reply(reply, command: "nothing (idle)")), quitFirst: false) }
            return []
        }
    }

    /// After a 250 to EHLO: STARTTLS if the connection is not yet secure, else AUTH, else ready.
    mutating func afterGreeting() -> [Action] {
        if !secure && settings.tls == .starttls {
            guard capabilities.startTLS else { return fail(SMTPError(.noStartTLS)) }
            state = .startTLS
            return [command("STARTTLS")]
        }
        guard let credentials = settings.credentials else { return sessionReady() }
        guard secure || peerIsLoopback else { return fail(SMTPError(.authWithoutTLS)) }
        let offered = capabilities.authMechanisms
        let user = credentials.username
        var mechanism = credentials.mechanism
        if mechanism == .auto {
            mechanism = offered.contains("PLAIN") ? .plain : offered.contains("LOGIN") ? .login : .xoauth2
        }
        guard offered.contains(mechanism.rawValue.uppercased()) else {
            return fail(SMTPError(.noAuthMechanism(offered: offered.sorted())))
        }
        switch mechanism {
        case .plain, .auto:
            state = .auth(.plain)
            let token = Base64.encode([0] + Array(user.utf8) + [0] + Array(credentials.secret.utf8))
            return [command("AUTH PLAIN \(token)", transcript: "AUTH PLAIN ********")]
        case .login:
            state = .auth(.loginUser)
            return [command("AUTH LOGIN")]
        case .xoauth2:
            state = .auth(.xoauth2)
            let token = Base64.encode("user=\(user)\u{1}auth=Bearer \(credentials.secret)\u{1}\u{1}")
            return [command("AUTH XOAUTH2 \(token)", transcript: "AUTH XOAUTH2 ********")]
        }
    }

    mutating func authenticate(_ step: AuthStep, _ reply: SMTPReply) -> [Action] {
        guard let credentials = settings.credentials else { return fail(.connection("AUTH without credentials")) }
        switch (step, reply.code) {
        case (.plain, 235), (.loginResult, 235), (.xoauth2, 235):
            return sessionReady()
        case (.loginUser, 334):
            state = .auth(.loginPassword)
            let user = Base64.encode(credentials.username)
            return [command(user, transcript: "\(user)  (user name)")]
        case (.loginPassword, 334):
            state = .auth(.loginResult)
            return [command(Base64.encode(credentials.secret), transcript: "********  (password)")]
        case (.xoauth2, 334):
            // The server explains the refusal in the challenge; an empty line gets the final 5xx reply.
            state = .auth(.xoauth2Error)
            return [command("")]
        default:
            return fail(SMTPError(.reply(reply, command: "AUTH")))
        }
    }

    mutating func sessionReady() -> [Action] {
        state = .ready
        return [.sessionReady(capabilities)] + nextMessage()
    }
}
