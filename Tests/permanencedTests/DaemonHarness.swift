import Foundation
import PermanenceDaemon
import SystemdSupport
import Testing

/// A datagram socket standing in for systemd's `NOTIFY_SOCKET`: a thread drains it at once (as systemd
/// does; an unread queue of 10 datagrams would block the sender) and keeps what the daemon sent.
final class NotifySocket: @unchecked Sendable {  // `received` is guarded by `lock`
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [(at: Date, text: String)] = []
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
                lock.withLock { received.append((Date(), m)) }
            }
        }
    }

    func close() {
        lock.withLock { closed = true }
        usleep(300_000)
        Glibc.close(fd)
        unlink(path)
    }

    var messages: [String] { lock.withLock { received.map(\.text) } }

    /// What the daemon sent, with when it arrived.
    var timedMessages: [(at: Date, text: String)] { lock.withLock { received } }

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
        try DaemonHarness.testPack.write(
            to: dir.appendingPathComponent("config/rules.d/daemon-test.toml"), atomically: true, encoding: .utf8)
    }

    /// The only pack the seeded cases use: one exact, elapsed-hour rule, so what falls due in a test window
    /// is the same on every day of the year (no working days, no whole-day notices, no weekday).
    static let testRule = "daemon-test-visit"
    static let testPack = """
        [pack]
        id = "daemon-test"
        title = "Daemon tests: one exact 72-hour visit"
        source = "permanenced test suite"
        plans = ["adoption"]

        [[rule]]
        id = "\(testRule)"
        title = "Visit the child within 72 hours of placement (test rule)"
        action = "Visit the child and record the visit."
        anchor = "placed-for-adoption"
        due = "72h"
        met-by = "visit"
        owner = "permanence-sw"
        severity = "urgent"
        escalate = [{ after = "0h", notify = ["team-manager"] }]
        source = "permanenced test suite: an exact deadline with one escalation at the moment it is missed"

        """

    /// A deadline far enough off that nothing about it (not even its due notice, on the morning of the due
    /// day) falls inside a test, whatever the time of day: placed now, due in 72 hours.
    static let farOff: Double = 72 * 3600

    /// Cases that each get a post-placement visit falling due `seconds` from now (placed 72 hours before
    /// that): an overdue notice and the first escalation at that moment. With only seconds to go, the due
    /// notice (an hour before, or that morning) has passed already: it is announced at once, late.
    func seed(_ refs: [String], dueIn seconds: Double, through: String = "import", workerEmail: String = "sw@example.org") throws {
        try seed(refs.map { ($0, seconds) }, through: through, workerEmail: workerEmail)
    }

    /// Cases each due at its own moment (seconds from now; negative: already overdue).
    func seed(_ due: [(ref: String, dueIn: Double)], through: String = "import", workerEmail: String = "sw@example.org") throws {
        let workers = "worker_id,name,email,roles,manager_id\ntm,Team Manager,tm@example.org,team-manager,\nsw,Social Worker,\(workerEmail),permanence-sw,tm\n"
        var cases = "case_ref,initials,plan,calendar,packs,permanence-sw,team-manager\n"
        var events = "case_ref,event,at,event_id,note,supersedes,withdrawn\n"
        for (r, seconds) in due {
            let placed = DaemonHarness.localTime(secondsFromNow: seconds - 72 * 3600)
            cases += "\(r),X.Y.,adoption,england-and-wales,daemon-test,sw,tm\n"
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

    /// Fails the test unless journald listens (scripts/test starts it, as root).
    static func requireJournald() throws {
        try #require(journaldListening, "systemd-journald is not running; scripts/test starts it (as root)")
    }

    /// A running daemon whose store holds one quiet case (`PREFIX-seed`, nothing due during a test), and a
    /// fresh case reference prefix for the test's own cases.
    static func running(_ prefix: String) throws -> (DaemonHarness, String) {
        let h = try DaemonHarness()
        let ref = "\(prefix)-\(UUID().uuidString.prefix(6))"
        try h.seed(["\(ref)-seed"], dueIn: farOff)
        try #require(try h.start() != nil, "no READY=1; log:\n\(h.log)")
        return (h, ref)
    }

    func cli(_ args: [String]) throws -> CLITests.Result {
        try CLITests.run(args + ["--config", config, "--store", store])
    }

    /// The daemon's command line; without `--inbox-path` when the test moves the inbox in the configuration.
    func runArguments(inboxFromConfig: Bool = false) -> [String] {
        ["run", "--config", config, "--store", store] + (inboxFromConfig ? [] : ["--inbox-path", inbox])
    }

    /// Starts the daemon and waits for READY=1 (nil if it never came). `prefix` runs it under another
    /// command (`unshare` for a journal socket that is not there), which `exec`s it.
    @discardableResult
    func start(watchdogSeconds: Double = 2, prefix: [String] = [], inboxFromConfig: Bool = false) throws -> Double? {
        notify?.close()
        let socket = try NotifySocket(path: dir.appendingPathComponent("notify-\(UUID().uuidString.prefix(4))").path)
        notify = socket
        let p = Process()
        if prefix.isEmpty {
            p.executableURL = CLITests.binary
            p.arguments = runArguments(inboxFromConfig: inboxFromConfig)
        } else {
            p.executableURL = URL(fileURLWithPath: prefix[0])
            p.arguments = Array(prefix.dropFirst()) + [CLITests.binary.path] + runArguments(inboxFromConfig: inboxFromConfig)
        }
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = socket.path
        env["WATCHDOG_USEC"] = String(Int(watchdogSeconds * 1_000_000))
        env["PERMANENCED_CONFIG"] = nil
        p.environment = env
        let log = dir.appendingPathComponent("daemon.log")
        // One log across restarts: each start appends.
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        let began = Date()
        try p.run()
        Self.startedAt.set(p.processIdentifier, began)
        process = p
        guard socket.wait(for: 60, { $0.contains("READY=1") }) != nil else { return nil }
        return Date().timeIntervalSince(began)
    }

    func signal(_ s: Int32) { if let pid = process?.processIdentifier { kill(pid, s) } }

    /// Kills the daemon with SIGKILL and waits for it to be gone.
    func kill9() {
        signal(SIGKILL)
        _ = waitForExit(timeout: 10)
    }

    /// Runs SQL against the store with Python's sqlite3 (another process, as an admin's tool would be);
    /// returns the rows of the last statement, each as its columns joined by tabs.
    @discardableResult
    func sqlite(_ sql: String) throws -> [String] { try Self.sqlite(store, sql) }

    /// The same, for any store file.
    @discardableResult
    static func sqlite(_ store: String, _ sql: String) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1], timeout=60)  # wait out a daemon mid-write, as the CLI does
            *head, last = [s for s in sys.argv[2].split(";") if s.strip()]
            for s in head: c.execute(s)
            for row in c.execute(last): print("\\t".join(str(v) for v in row))
            c.commit()
            """, store, sql]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "sqlite: \(sql)")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Another process holding the store's write lock for `seconds` (as a long import or a backup would):
    /// returns once the lock is held.
    /// `afterWriting`: it commits a write first, so the store's write-ahead log is not empty (as whenever the
    /// daemon runs); otherwise opening the store waits for the lock too.
    func holdWriteLock(seconds: Double, afterWriting: Bool = false) throws -> Process {
        let p = Process()
        let ready = dir.appendingPathComponent("locked-\(UUID().uuidString.prefix(4))").path
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
            if sys.argv[4] == "1":
                c.execute("INSERT INTO meta (key, value) VALUES ('test.wal', 'kept') ON CONFLICT(key) DO UPDATE SET value = 'kept'")
            c.execute("BEGIN IMMEDIATE")
            c.execute("INSERT INTO meta (key, value) VALUES ('test.lock', 'held') ON CONFLICT(key) DO UPDATE SET value = 'held'")
            open(sys.argv[2], "w").close()
            time.sleep(float(sys.argv[3]))
            c.execute("ROLLBACK")
            """, store, ready, String(seconds), afterWriting ? "1" : "0"]
        try p.run()
        let end = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: ready) && Date() < end { usleep(50_000) }
        #expect(FileManager.default.fileExists(atPath: ready), "the lock was never taken")
        return p
    }

    /// Runs a command (found on PATH) to its end, its output discarded; its exit status.
    @discardableResult
    static func command(_ args: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

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

    /// When each daemon the tests started began, by PID: a journal kept across runs (or a busy machine
    /// wrapping PIDs) holds an older process's entries under the same `_PID`.
    static let startedAt = StartTimes()

    final class StartTimes: @unchecked Sendable {
        private var times: [Int32: Date] = [:]
        private let lock = NSLock()
        func set(_ pid: Int32, _ d: Date) { lock.withLock { times[pid] = d } }
        func get(_ pid: Int32) -> Date? { lock.withLock { times[pid] } }
    }

    /// The journal's permanenced entries with `FIELD=value` matches, as JSON objects; with `_PID=` matches,
    /// only those written since the test started that process.
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
        let since = matches.compactMap { m -> Date? in
            m.hasPrefix("_PID=") ? Int32(m.dropFirst(5)).flatMap { startedAt.get($0) } : nil
        }.min()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { e in
            guard let since, let t = (e["__REALTIME_TIMESTAMP"] as? String).flatMap(Double.init) else { return true }
            return t / 1_000_000 >= since.timeIntervalSince1970 - 1
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
    /// With its UTC offset, so it means the same instant whatever zone a test's configuration uses.
    static func localTime(secondsFromNow seconds: Double) -> String {
        local(Date().addingTimeInterval(seconds), "yyyy-MM-dd'T'HH:mm:ssxxx")
    }

    /// `date` in `zone` (Europe/London unless a test set another), in a DateFormatter `format` (`HH:mm` for
    /// configuration times, say).
    static func local(_ date: Date, _ format: String, zone: String = "Europe/London") -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB_POSIX")
        f.timeZone = TimeZone(identifier: zone)
        f.dateFormat = format
        return f.string(from: date)
    }
}
