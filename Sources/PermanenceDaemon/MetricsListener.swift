import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import PermanenceCore
import PermanenceMetrics

/// The `/metrics` endpoint: HTTP/1.1 on loopback (or an address the admin explicitly allowed) or a Unix
/// socket, on an event loop of its own (one thread, asleep in epoll between scrapes). `GET /metrics` answers
/// with what `respond` renders; anything else is 404 (405 for a method other than GET or HEAD).
final class MetricsListener: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// What it listens on, as the log says it.
    let address: String

    struct BindError: Error, CustomStringConvertible {
        let description: String
    }

    /// Binds `endpoint`. A Unix socket left by an earlier run is replaced (only a socket: never a regular
    /// file), and the new one is made 0660 (the permanenced user and group). Throws a message naming the
    /// address when it cannot be bound.
    static func bind(_ endpoint: MetricsEndpoint, respond: @escaping @Sendable () -> [UInt8]) async throws -> MetricsListener {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(MetricsHTTPHandler(respond: respond))
                }
            }
            .childChannelOption(.maxMessagesPerRead, value: 1)
        do {
            let channel: any Channel
            switch endpoint {
            case .tcp(let host, let port):
                channel = try await bootstrap.bind(host: host == "localhost" ? "127.0.0.1" : host, port: port).get()
            case .unix(let path):
                var st = stat()
                if lstat(path, &st) == 0 {
                    guard st.st_mode & S_IFMT == S_IFSOCK else {
                        throw BindError(description: "[metrics] listen: \(path) exists and is not a socket; refusing to replace it")
                    }
                    unlink(path)
                }
                channel = try await bootstrap.bind(unixDomainSocketPath: path).get()
                chmod(path, 0o660)
            }
            return MetricsListener(group: group, channel: channel, address: endpoint.description)
        } catch let error as BindError {
            try? await group.shutdownGracefully()
            throw error
        } catch {
            try? await group.shutdownGracefully()
            throw BindError(description: "[metrics] listen: cannot listen on \(endpoint): \(error)")
        }
    }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, address: String) {
        self.group = group
        self.channel = channel
        self.address = address
    }

    /// The TCP port actually bound (for a test that asked for port 0... or any port); nil for a Unix socket.
    var port: Int? { channel.localAddress?.port }

    /// Stops listening, and removes a Unix socket.
    func close() async {
        let path = channel.localAddress?.pathname
        try? await channel.close()
        if let path { unlink(path) }
        try? await group.shutdownGracefully()
    }
}

/// One connection's requests: `GET /metrics` (or `HEAD`), with keep-alive as the client asks.
private final class MetricsHTTPHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable () -> [UInt8]

    init(respond: @escaping @Sendable () -> [UInt8]) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        var status = HTTPResponseStatus.ok
        var body: [UInt8]
        var type = "text/plain; charset=utf-8"
        var extra: [(String, String)] = []
        if head.method != .GET && head.method != .HEAD {
            status = .methodNotAllowed
            body = Array("only GET and HEAD\n".utf8)
            extra.append(("Allow", "GET, HEAD"))
        } else if path == "/metrics" {
            body = respond()
            type = ServiceMetrics.contentType
        } else if path == "/" {
            body = Array("permanenced: metrics at /metrics\n".utf8)
        } else {
            status = .notFound
            body = Array("not found: metrics are at /metrics\n".utf8)
        }
        var headers = HTTPHeaders([("Content-Type", type), ("Content-Length", String(body.count)), ("Cache-Control", "no-store")] + extra)
        let keepAlive = head.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
