import Foundation

/// A real SMTP server on loopback (`scripts/smtp-test-server.py`, on Debian's python3-aiosmtpd), started
/// for one test and stopped with it. Received messages are read back from its mail directory.
public final class TestSMTPServer {
    let process = Process()
    let stdin = Pipe()
    let directory: URL
    public let port: Int

    public enum Mode: String { case normal, tempfailFirst = "tempfail-first", reject, hang, drop }

    public init(mode: Mode = .normal, tls: String = "none", certificate: TestCertificate? = nil, auth: String? = nil, port: Int? = nil, pipelining: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let root = repositoryRoot
        var args = [root.appendingPathComponent("scripts/smtp-test-server.py").path, "--maildir", directory.path,
                    "--mode", mode.rawValue, "--tls", tls]
        if let certificate { args += ["--cert", certificate.cert, "--key", certificate.key] }
        if let auth { args += ["--auth", auth] }
        if let port { args += ["--port", String(port)] }
        if pipelining { args.append("--pipelining") }
        self.port = try startLoopbackServer(process, stdin: stdin, arguments: args)
    }

    /// Stops the server. Tests call it (with `defer`) so the server lives until the test ends: Swift may
    /// end a local's lifetime at its last use.
    public func stop() {
        guard process.isRunning else { return }
        // Not waitUntilExit: Foundation reaps the child on its own thread.
        try? stdin.fileHandleForWriting.close()
        kill(process.processIdentifier, SIGKILL)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A free TCP port on loopback (for a server started later on it).
    public static func freePort() -> Int {
        let (fd, port) = loopbackSocket()
        close(fd)
        return port
    }

    /// The DATA of the nth accepted message (1-based), exactly as received.
    public func message(_ n: Int) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("\(n).eml"), encoding: .utf8)
    }

    /// The envelope, TLS state and login of the nth accepted message.
    public func envelope(_ n: Int) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(n).json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    public var receivedCount: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".eml") }.count
    }
}

/// A self-signed certificate for `localhost` and 127.0.0.1, made by openssl for the test.
public struct TestCertificate {
    public let cert: String
    public let key: String

    public static func make() throws -> TestCertificate {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let c = TestCertificate(cert: dir.appendingPathComponent("cert.pem").path, key: dir.appendingPathComponent("key.pem").path)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                       "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                       "-keyout", c.key, "-out", c.cert]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ServerDidNotStart() }
        return c
    }

    struct ServerDidNotStart: Error {}
}

/// Collects a transcript from the client's event loop.
public final class Transcript: @unchecked Sendable {
    public init() {}
    private let lock = NSLock()
    private var stored: [String] = []
    public func append(_ line: String) { lock.withLock { stored.append(line) } }
    public var lines: [String] { lock.withLock { stored } }
}

/// A test server script that prints `READY <port>` once listening and exits when its stdin closes: starts
/// `process` (python3 with `arguments`, the script first) and returns the port.
public func startLoopbackServer(_ process: Process, stdin: Pipe, arguments: [String]) throws -> Int {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardInput = stdin
    try process.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty { throw ServerDidNotStart() }
        line += chunk
    }
    guard let text = String(data: line, encoding: .utf8), text.hasPrefix("READY "),
          let p = Int(text.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else { throw ServerDidNotStart() }
    return p
}

/// The server script did not say it was listening.
public struct ServerDidNotStart: Error {}
