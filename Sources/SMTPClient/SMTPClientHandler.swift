import NIOCore
import NIOSSL
import NIOTLS
import SMTPCore

/// Runs the pure `SMTPStateMachine` on a channel: feeds it lines and TLS events, performs its actions
/// (write, start TLS, close), arms the RFC 5321 timeouts it asks for, and collects each message's outcome.
final class SMTPClientHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = String
    typealias OutboundOut = ByteBuffer

    private var machine: SMTPStateMachine?
    private let settings: SMTPSettings
    private let messages: [SMTPEnvelope]
    private let tlsContext: NIOSSLContext?
    private let transcript: (@Sendable (String) -> Void)?
    private let onOutcome: (@Sendable (Int, SMTPOutcome) -> Void)?
    private let done: EventLoopPromise<[Int: SMTPOutcome]>
    private var outcomes: [Int: SMTPOutcome] = [:]
    private var timeout: Scheduled<Void>?
    private var finished = false
    /// The TLS handshake has completed: a TLS error from here on is a dropped connection, not the set-up.
    private var tlsEstablished = false

    init(settings: SMTPSettings, messages: [SMTPEnvelope], tlsContext: NIOSSLContext?,
         transcript: (@Sendable (String) -> Void)?, onOutcome: (@Sendable (Int, SMTPOutcome) -> Void)? = nil,
         done: EventLoopPromise<[Int: SMTPOutcome]>) {
        self.settings = settings
        self.messages = messages
        self.tlsContext = tlsContext
        self.transcript = transcript
        self.onOutcome = onOutcome
        self.done = done
    }

    func channelActive(context: ChannelHandlerContext) {
        var m = SMTPStateMachine(settings: settings, peerIsLoopback: Self.isLoopback(context.channel.remoteAddress))
        var actions: [SMTPStateMachine.Action] = []
        for e in messages { actions += m.send(e) }
        actions += m.quit()
        machine = m
        transcript?("connected to \(context.channel.remoteAddress.map { "\($0)" } ?? settings.host)")
        run(actions, context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        transcript?("S: \(line)")
        guard machine != nil else { return }
        // A continuation line of a reply not yet complete changes nothing: the deadline for the whole reply
        // stands (it is not restarted by every line a trickling server sends).
        let before = machine!.repliesReceived
        let actions = machine!.received(line: line)
        run(actions, context: context, rearm: machine?.repliesReceived != before || !actions.isEmpty)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let proto)? = event as? TLSUserEvent {
            tlsEstablished = true
            transcript?("TLS established\(proto.map { " (\($0))" } ?? "")")
            if machine != nil { run(machine!.tlsEstablished(), context: context) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A TLS error before the handshake completes (a certificate that cannot be verified, no common
        // protocol) is the relay's set-up; after it, or an unclean shutdown, only a dropped connection.
        var setUp = (error is NIOSSLError || error is BoringSSLError) && !tlsEstablished
        if case NIOSSLError.uncleanShutdown? = error as? NIOSSLError { setUp = false }
        transcript?("error: \(setUp ? "TLS failed: " : "")\(error)")
        if machine != nil { run(setUp ? machine!.tlsFailed("\(error)") : machine!.connectionClosed("\(error)"), context: context) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if machine != nil { run(machine!.connectionClosed(), context: context) }
        finish()
        context.fireChannelInactive()
    }

    private func run(_ actions: [SMTPStateMachine.Action], context: ChannelHandlerContext, rearm: Bool = true) {
        for action in actions {
            switch action {
            case .write(let bytes, let lines):
                lines.forEach { transcript?($0) }
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
            case .startTLS:
                guard let tlsContext else {
                    run(machine!.connectionClosed("STARTTLS without a TLS configuration"), context: context)
                    return
                }
                do {
                    let tls = try NIOSSLClientHandler(context: tlsContext, serverHostname: Self.sniName(settings.host))
                    try context.pipeline.syncOperations.addHandler(tls, position: .first)
                } catch {
                    run(machine!.connectionClosed("TLS could not start: \(error)"), context: context)
                }
            case .sessionReady(let caps):
                transcript?("session ready (pipelining: \(caps.pipelining ? "yes" : "no"), size limit: \(caps.size.map(String.init) ?? "none"))")
            case .delivered(let d):
                outcomes[d.id] = .delivered(d)
                onOutcome?(d.id, .delivered(d))
            case .messageFailed(let id, let error):
                outcomes[id] = .failed(error)
                onOutcome?(id, .failed(error))
            case .close(let error):
                if let error { transcript?("closing: \(error)") }
                context.close(promise: nil)
            }
        }
        if rearm || timeout == nil { armTimeout(context: context) }
    }

    /// One timer at a time, for whatever the machine now waits for.
    private func armTimeout(context: ChannelHandlerContext) {
        timeout?.cancel()
        timeout = nil
        guard let t = machine?.currentTimeout else { return }
        timeout = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(t.seconds * 1000))) { [self] in
            guard machine != nil else { return }
            run(machine!.timedOut(), context: context)
        }
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        timeout?.cancel()
        // A message the session never reached (it closed first) failed temporarily.
        for m in messages where outcomes[m.id] == nil {
            outcomes[m.id] = .failed(.connection("the connection closed before the message was sent"))
        }
        done.succeed(outcomes)
    }

    static func isLoopback(_ address: SocketAddress?) -> Bool {
        guard let ip = address?.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    /// SNI takes host names only, not IP addresses.
    static func sniName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." } || host.contains(":") ? nil : host
    }
}
