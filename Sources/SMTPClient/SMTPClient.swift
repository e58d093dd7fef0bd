import NIOCore
import NIOPosix
import NIOSSL
import SMTPCore

/// Sends messages to one relay over one connection: connect (TLS from the start for `tls`), greet, STARTTLS,
/// authenticate, send each message, QUIT. Every message gets an outcome; nothing throws.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings
    /// A PEM file of CA certificates to trust instead of the system store (`[email] ca-file`).
    public let caFile: String?
    let group: any EventLoopGroup

    public init(settings: SMTPSettings, caFile: String? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.settings = settings
        self.caFile = caFile
        self.group = group
    }

    /// Sends `messages` in order over one connection. `transcript` receives the conversation line by line,
    /// with secrets masked (`C: AUTH PLAIN ********`), for `send-test` and debugging. `onOutcome` hears of
    /// each message as soon as the server has answered for it (so an outbox can record it at once); all
    /// outcomes are returned at the end as well.
    public func send(_ messages: [SMTPEnvelope], transcript: (@Sendable (String) -> Void)? = nil,
                     onOutcome: (@Sendable (Int, SMTPOutcome) -> Void)? = nil) async -> [Int: SMTPOutcome] {
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = settings.tls == .none ? nil : try makeTLSContext()
        } catch {
            return failAll(messages, .tls("configuration: \(error)"))
        }
        let settings = settings
        let done = group.next().makePromise(of: [Int: SMTPOutcome].self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(Int64(settings.timeouts.connect * 1000)))
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if settings.tls == .tls, let tlsContext {
                        try sync.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: SMTPClientHandler.sniName(settings.host)))
                    }
                    try sync.addHandler(ByteToMessageHandler(LineDecoder()))
                    try sync.addHandler(SMTPClientHandler(
                        settings: settings, messages: messages, tlsContext: tlsContext, transcript: transcript, onOutcome: onOutcome,
                        done: done))
                }
            }
        transcript?("connecting to \(settings.host) port \(settings.port) (tls: \(settings.tls.rawValue))")
        do {
            _ = try await bootstrap.connect(host: settings.host, port: settings.port).get()
        } catch {
            transcript?("cannot connect: \(error)")
            done.fail(error)
            return failAll(messages, .connection("cannot connect to \(settings.host) port \(settings.port): \(error)"))
        }
        return (try? await done.futureResult.get()) ?? failAll(messages, .connection("the session ended unexpectedly"))
    }

    func makeTLSContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        if let caFile { tls.trustRoots = .file(caFile) }
        return try NIOSSLContext(configuration: tls)
    }

    func failAll(_ messages: [SMTPEnvelope], _ error: SMTPError) -> [Int: SMTPOutcome] {
        Dictionary(messages.map { ($0.id, SMTPOutcome.failed(error)) }, uniquingKeysWith: { a, _ in a })
    }
}
