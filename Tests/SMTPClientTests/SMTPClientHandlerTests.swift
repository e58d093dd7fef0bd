import NIOCore
import NIOEmbedded
import SMTPCore
import Testing
import TestSupport
@testable import SMTPClient

/// The channel handler on an `EmbeddedChannel`: bytes in, bytes out, timers on a virtual clock.
@Suite struct SMTPClientHandlerTests {
    let settings = SMTPSettings(host: "relay", port: 25, tls: .none, heloName: "pd.test")

    func channel(_ messages: [SMTPEnvelope], heard: Transcript? = nil) throws -> (EmbeddedChannel, EventLoopFuture<[Int: SMTPOutcome]>) {
        let channel = EmbeddedChannel()
        let done = channel.eventLoop.makePromise(of: [Int: SMTPOutcome].self)
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
        try channel.pipeline.syncOperations.addHandler(
            SMTPClientHandler(settings: settings, messages: messages, tlsContext: nil, transcript: nil,
                              onOutcome: { id, outcome in heard?.append("\(id) \(outcome.isTemporaryFailure ? "failed" : "ok")") }, done: done))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25)).wait()
        return (channel, done.futureResult)
    }

    func written(_ channel: EmbeddedChannel) throws -> String {
        var out = ""
        while let b = try channel.readOutbound(as: ByteBuffer.self) { out += String(buffer: b) }
        return out
    }

    let message = SMTPEnvelope(id: 7, from: "pd@example.org", recipients: ["w@example.org"], message: Array("Subject: x\r\n\r\nhi\r\n".utf8))

    @Test func linesSplitAcrossReadsAreJoined() throws {
        let heard = Transcript()
        let (channel, result) = try channel([message], heard: heard)
        try channel.writeInbound(ByteBuffer(string: "220 re"))
        #expect(try written(channel) == "")
        try channel.writeInbound(ByteBuffer(string: "lay\r\n250-relay\r\n250 PIPELINING\r\n"))
        #expect(try written(channel) == "EHLO pd.test\r\nMAIL FROM:<pd@example.org>\r\nRCPT TO:<w@example.org>\r\nDATA\r\n")
        try channel.writeInbound(ByteBuffer(string: "250 ok\r\n250 ok\r\n354 go\r\n"))
        #expect(try written(channel) == "Subject: x\r\n\r\nhi\r\n.\r\n")
        #expect(heard.lines.isEmpty)
        try channel.writeInbound(ByteBuffer(string: "250 queued\r\n"))
        // The outcome is told as soon as the server accepts, before the session ends.
        #expect(heard.lines == ["7 ok"])
        #expect(try written(channel) == "QUIT\r\n")
        try channel.writeInbound(ByteBuffer(string: "221 bye\r\n"))
        #expect(!channel.isActive)
        guard case .delivered(let d)? = try result.wait()[7] else { Issue.record("not delivered"); return }
        #expect(d.reply.code == 250)
    }

    @Test func theGreetingTimeoutClosesAndFailsTemporarily() throws {
        let (channel, result) = try channel([message])
        channel.embeddedEventLoop.advanceTime(by: .seconds(299))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
        guard case .failed(let e)? = try result.wait()[7] else { Issue.record("expected a failure"); return }
        #expect(e.isTemporary)
    }

    @Test func aClosedConnectionFailsWhatIsLeft() throws {
        let (channel, result) = try channel([message])
        try channel.writeInbound(ByteBuffer(string: "220 relay\r\n"))
        try channel.close().wait()
        guard case .failed(let e)? = try result.wait()[7] else { Issue.record("expected a failure"); return }
        #expect(e.isTemporary)
    }
}
