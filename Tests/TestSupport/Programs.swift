import Foundation

/// Runs `program` with `arguments`, `input` on its standard input: its standard output (with its standard
/// error too, when `errorsToo`) and exit status. Without `PERMANENCED_CONFIG` or `NOTIFY_SOCKET` from the
/// test's own environment.
public func runProgram(_ program: String, _ arguments: [String], input: Data = Data(), errorsToo: Bool = false) throws -> (out: String, status: Int32) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["PERMANENCED_CONFIG"] = nil
    environment["NOTIFY_SOCKET"] = nil
    p.environment = environment
    let stdin = Pipe(), stdout = Pipe()
    p.standardInput = stdin
    p.standardOutput = stdout
    p.standardError = errorsToo ? stdout : FileHandle.nullDevice
    try p.run()
    stdin.fileHandleForWriting.write(input)
    try stdin.fileHandleForWriting.close()
    let data = stdout.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (String(decoding: data, as: UTF8.self), p.terminationStatus)
}

/// The first part of type `type` (`text/html`, `text/plain`) of a message as received, decoded by Python's
/// `email` package (transfer encoding and charset undone); nil when it has none.
public func mimePart(_ eml: String, type: String) throws -> String? {
    let (out, status) = try runProgram("/usr/bin/python3", ["-c", """
        import email, sys
        from email import policy
        m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
        parts = [p for p in m.walk() if p.get_content_type() == sys.argv[1]]
        if not parts: sys.exit(3)
        sys.stdout.write(parts[0].get_content())
        """, type], input: Data(eml.utf8))
    return status == 0 ? out : nil
}

/// A TCP socket bound to a free port on 127.0.0.1 (listening, when asked): its descriptor and port. The
/// caller closes it.
public func loopbackSocket(listening: Bool = false) -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    if listening { _ = listen(fd, 1) }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return (fd, Int(UInt16(bigEndian: addr.sin_port)))
}

/// Headless Chromium (Debian's `chromium`, which scripts/setup --tests installs), for what a person looks at.
public enum Chromium {
    /// The browser, when installed.
    public static var path: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// What a page shows `width` pixels wide.
    public struct Rendering {
        /// Chromium's exit status dumping the DOM.
        public let status: Int32
        /// The page's DOM once laid out (`&nbsp;` as spaces).
        public let visible: String
        /// The right edge of the furthest element, in pixels.
        public let rightEdge: Int
        /// The screenshot's size in bytes (0: none was made).
        public let screenshotBytes: Int
    }

    /// Renders `html` `width` pixels wide and keeps `NAME-WIDTH.html` and `.png` in `directory`. Headless
    /// Chromium's window is at least 500 pixels wide, so the page itself is held to `width`, and reports the
    /// right edge of its furthest element.
    public static func render(_ html: String, name: String, width: Int, in directory: URL) throws -> Rendering {
        let chromium = try path ?? { throw CocoaError(.fileNoSuchFile) }()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let probe = html
            .replacingOccurrences(of: "</head>", with: "<style>html{width:\(width)px;overflow:hidden}</style></head>")
            .replacingOccurrences(of: "</body>", with: """
                <script>document.body.setAttribute("data-width", String(Math.ceil(Math.max(...Array.from(document.querySelectorAll("body *"), e => e.getBoundingClientRect().right)))))</script></body>
                """)
        let page = directory.appendingPathComponent("\(name)-\(width).html")
        try Data(probe.utf8).write(to: page)
        // A profile of its own: two browsers on one profile refuse to start (tests render in parallel).
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(profile.path)",
                      "--window-size=\(width),1600"]
        let (dom, status) = try runProgram(chromium, common + ["--dump-dom", page.absoluteString])
        let visible = dom.replacingOccurrences(of: "&nbsp;", with: " ")
        let edge = visible.firstRange(of: "data-width=\"").map { Int(visible[$0.upperBound...].prefix { $0.isNumber }) ?? 0 } ?? 0
        let png = directory.appendingPathComponent("\(name)-\(width).png")
        try? FileManager.default.removeItem(at: png)
        _ = try runProgram(chromium, common + ["--screenshot=\(png.path)", page.absoluteString])
        let bytes = (try? FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int) ?? 0
        return Rendering(status: status, visible: visible, rightEdge: edge, screenshotBytes: bytes)
    }
}
