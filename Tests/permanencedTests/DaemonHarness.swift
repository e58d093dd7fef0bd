import Foundation
import PermanenceDaemon
import Testing

/// A datagram socket standing in for systemd's `NOTIFY_SOCKET`: a thread drains it at once (as systemd
/// does; an unread queue of 10 datagrams would block the sender) and keeps what the daemon sent.
final class NotifySocket: @unchecked Sendable {  // `received` is guarded by `lock`
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var closed = false

    init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            let bytes = Array(path.utf8)
            for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if r != 0 { throw CocoaError(.fileWriteUnknown) }
        let thread = Thread { [self] in self.drain() }
        thread.start()
    }

    private func drain() {
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 200)
            if lock.withLock({ closed }) { return }
            if ready <= 0 { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                let m = String(decoding: buffer[0..<n], as: UTF8.self)
                lock.withLock { received.append(m) }
            }
        }
    }

    func close() {
        lock.withLock { closed = true }
        usleep(300_000)
        Glibc.close(fd)
        unlink(path)
    }

    var messages: [String] { lock.withLock { received } }

    /// Waits until a message satisfies `match` or `timeout` seconds pass; returns it.
    @discardableResult
    func wait(for timeout: Double, _ match: (String) -> Bool) -> String? {
        let end = Date().addingTimeInterval(timeout)
        repeat {
            if let m = messages.first(where: match) { return m }
            usleep(50_000)
        } while Date() < end
        return nil
    }
}

/// A running `permanenced run` with its own config copy, store, inbox and notify socket.
final class DaemonHarness {
    let dir: URL
    let config: String
    let store: String
    let inbox: String
    var process: Process?
    var notify: NotifySocket?

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: CLITests.root.appendingPathComponent("config"), to: dir.appendingPathComponent("config"))
        config = dir.appendingPathComponent("config/permanenced.toml").path
        store = dir.appendingPathComponent("state/p.sqlite").path
        inbox = dir.appendingPathComponent("state/inbox").path
    }

    /// Cases that each get a post-placement visit falling due `seconds` from now (placed 72 hours before
    /// that): an overdue notice and the first escalation at that moment.
    func seed(_ refs: [String], dueIn seconds: Double, through: String = "import", workerEmail: String = "sw@example.org") throws {
        let workers = "worker_id,name,email,roles,manager_id\ntm,Team Manager,tm@example.org,team-manager,\nsw,Social Worker,\(workerEmail),permanence-sw,tm\n"
        var cases = "case_ref,initials,plan,calendar,packs,permanence-sw,team-manager\n"
        var events = "case_ref,event,at,event_id,note,supersedes,withdrawn\n"
        let placed = DaemonHarness.localTime(secondsFromNow: seconds - 72 * 3600)
        for r in refs {
            cases += "\(r),X.Y.,adoption,england-and-wales,leicestershire-family-finding,sw,tm\n"
            events += "\(r),placed-for-adoption,\(placed),\(r)-placed,,,\n"
        }
        let files = [("workers.csv", workers), ("cases.csv", cases), ("events.csv", events)].map { name, text in
            let url = dir.appendingPathComponent("\(UUID().uuidString.prefix(6))-\(name)")
            try! text.write(to: url, atomically: true, encoding: .utf8)
            return url
        }
        if through == "inbox" {
            try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
            for (i, f) in files.enumerated() {
                try FileManager.default.moveItem(atPath: f.path, toPath: "\(inbox)/\(i)-\(f.lastPathComponent)")
            }
        } else {
            let r = try cli(["import"] + files.map(\.path))
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    /// journald accepts datagrams on its socket (scripts/test starts journald when it is not running).
    static var journaldListening: Bool { Journal.journaldListening }

    func cli(_ args: [String]) throws -> CLITests.Result {
        try CLITests.run(args + ["--config", config, "--store", store])
    }

    /// Starts the daemon and waits for READY=1 (nil if it never came).
    @discardableResult
    func start(watchdogSeconds: Double = 2) throws -> Double? {
        notify?.close()
        let socket = try NotifySocket(path: dir.appendingPathComponent("notify-\(UUID().uuidString.prefix(4))").path)
        notify = socket
        let p = Process()
        p.executableURL = CLITests.binary
        p.arguments = ["run", "--config", config, "--store", store, "--inbox-path", inbox]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = socket.path
        env["WATCHDOG_USEC"] = String(Int(watchdogSeconds * 1_000_000))
        env["PERMANENCED_CONFIG"] = nil
        p.environment = env
        let log = dir.appendingPathComponent("daemon.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        let began = Date()
        try p.run()
        process = p
        guard socket.wait(for: 60, { $0.contains("READY=1") }) != nil else { return nil }
        return Date().timeIntervalSince(began)
    }

    func signal(_ s: Int32) { if let pid = process?.processIdentifier { kill(pid, s) } }

    /// Waits for the process to end; its exit status, or nil on timeout.
    func waitForExit(timeout: Double) -> Int32? {
        let end = Date().addingTimeInterval(timeout)
        while let p = process, p.isRunning, Date() < end { usleep(50_000) }
        guard let p = process, !p.isRunning else { return nil }
        return p.terminationStatus
    }

    func stop() {
        signal(SIGTERM)
        _ = waitForExit(timeout: 20)
    }

    deinit {
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL) }
        notify?.close()
    }

    var log: String { (try? String(contentsOf: dir.appendingPathComponent("daemon.log"), encoding: .utf8)) ?? "" }

    /// The journal's permanenced entries with `FIELD=value` matches, as JSON objects.
    static func journal(_ matches: [String]) throws -> [[String: Any]] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/journalctl")
        p.arguments = ["-o", "json", "--no-pager", "SYSLOG_IDENTIFIER=permanenced"] + matches
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Polls the journal until `done` holds for the entries matching, or `timeout` passes.
    static func waitForJournal(_ matches: [String], timeout: Double, _ done: ([[String: Any]]) -> Bool) throws -> [[String: Any]] {
        let end = Date().addingTimeInterval(timeout)
        var entries: [[String: Any]] = []
        repeat {
            entries = try journal(matches)
            if done(entries) { return entries }
            usleep(250_000)
        } while Date() < end
        return entries
    }

    /// A local date-time `seconds` from now, as the CLI takes it (`--at`), and that instant.
    static func localTime(secondsFromNow seconds: Double) -> String {
        local(Date().addingTimeInterval(seconds), "yyyy-MM-dd'T'HH:mm:ss")
    }

    /// `date` in Europe/London, in a DateFormatter `format` (`HH:mm` for configuration times, say).
    static func local(_ date: Date, _ format: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB_POSIX")
        f.timeZone = TimeZone(identifier: "Europe/London")
        f.dateFormat = format
        return f.string(from: date)
    }
}
