import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceStore

/// Starts the real daemon (`permanenced run`, built beside this benchmark) on a large store and measures
/// time to READY=1, resident memory, and how often it wakes while idle.
struct DaemonBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Time permanenced run from start to READY=1 on a large store; its memory; its wake-ups while idle.",
        discussion: "Build the store first: permanenced-bench store --work DIR (then pass --store DIR/bench.sqlite).")

    @Option(help: "Store to run on (made by `permanenced-bench store --work DIR`).") var store: String
    @Option(help: "Configuration file.") var config: String = "config/permanenced.toml"
    @Option(help: "Seconds to watch the idle daemon.") var idle: Int = 60
    @Option(help: "WATCHDOG_USEC to give the daemon, in seconds (it pings at half).") var watchdog: Int = 20

    func run() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("permanenced").path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("permanenced-daemon-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let socketPath = "\(dir)/notify"
        let fd = try bindDatagramSocket(socketPath)
        // A copy, so the same store can be measured again: a first start on it (no cursor yet) announces
        // every open deadline already due or overdue, once.
        let copy = "\(dir)/bench.sqlite"
        // With its audit key and head beside it: without the key the daemon cannot append to the audit chain.
        for suffix in ["", "-wal", ".audit-key", ".audit-head"] where FileManager.default.fileExists(atPath: store + suffix) {
            try FileManager.default.copyItem(atPath: store + suffix, toPath: copy + suffix)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "--config", config, "--store", copy, "--inbox-path", "\(dir)/inbox"]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = socketPath
        env["WATCHDOG_USEC"] = String(watchdog * 1_000_000)
        p.environment = env
        // Its output is read (and counted) as it comes: with no journald listening the daemon writes every
        // notice to stderr, and a pipe nobody reads would stop it at the first full buffer.
        let output = OutputDrain()
        p.standardError = output.pipe
        p.standardOutput = output.pipe
        let copied = try Store(path: copy, ruleSet: try loadShipped((config as NSString).deletingLastPathComponent))
        let cases = try copied.openAndOverdue(now: Instant(seconds: Int(Date().timeIntervalSince1970)))
        let cursorBefore = try copied.daemonCursor()
        let fresh = cursorBefore == nil
        print("daemon benchmark: \(cases.openCases) open cases in a copy of \(store)\(fresh ? " (the daemon's first start on it)" : "")")
        let t0 = monotonicSeconds()
        try p.run()
        defer { if p.isRunning { p.terminate(); p.waitUntilExit() } }
        var messages: [String] = []
        while !messages.contains(where: { $0.contains("READY=1") }) {
            guard let m = receive(fd, timeout: 120) else {
                throw ValidationError("no READY=1 within 120 s; the daemon's last output:\n\(output.tail.joined(separator: "\n"))")
            }
            messages.append(m)
        }
        let ready = monotonicSeconds() - t0
        print(String(format: "  start to READY=1   %.2f s (target < 3 s)", ready))
        let status = messages.last { $0.contains("STATUS=") }?.split(separator: "\n").first { $0.hasPrefix("STATUS=") } ?? ""
        print("  \(status)")
        let pid = p.processIdentifier
        print(String(format: "  resident memory    %.1f MiB at READY=1 (peak %.1f MiB; target < 300 MB)", memory(pid, "VmRSS:"), memory(pid, "VmHWM:")))
        // The backlog (late and first-start notices), queued after READY=1 in chunks: all of it is queued once
        // the saved cursor moves (with the last chunk), delivered once nothing is pending after that (the
        // outbox can be empty between two chunks).
        while try copied.daemonCursor() == cursorBefore && monotonicSeconds() - t0 < 600 {
            while receive(fd, timeout: 0.2) != nil {}
        }
        var outbox = try copied.outboxSummary()
        while outbox.pending > 0 && monotonicSeconds() - t0 < 600 {
            while receive(fd, timeout: 0.5) != nil {}
            outbox = try copied.outboxSummary()
        }
        print(String(format: "  backlog            %d notifications delivered %.2f s after start (%d still pending)",
                     outbox.sent, monotonicSeconds() - t0, outbox.pending))
        print(String(format: "  resident memory    %.1f MiB after the backlog (peak %.1f MiB)", memory(pid, "VmRSS:"), memory(pid, "VmHWM:")))
        // Idle: count the daemon's context switches (each is a wake-up of one of its threads) and its pings.
        let before = switches(pid)
        var pings = 0, others = 0
        let end = monotonicSeconds() + Double(idle)
        while monotonicSeconds() < end {
            guard let m = receive(fd, timeout: end - monotonicSeconds()) else { continue }
            if m == "WATCHDOG=1" { pings += 1 } else { others += 1 }
        }
        let after = switches(pid)
        // Threads that ended meanwhile are not counted; threads that started count from zero.
        let wakeups = after.reduce(0) { $0 + $1.value - (before[$1.key] ?? 0) }
        print("  idle \(idle) s         \(wakeups) context switches (wake-ups) over \(after.count) threads; \(pings) watchdog pings (every \(watchdog / 2) s), \(others) other notify messages")
        print(String(format: "  resident memory    %.1f MiB after the idle period", memory(pid, "VmRSS:")))
        p.terminate()
        p.waitUntilExit()
        // Started again on the same store: the everyday restart, with nothing new to announce.
        let again = Process()
        again.executableURL = p.executableURL
        again.arguments = p.arguments
        again.environment = env
        let againOutput = OutputDrain()
        again.standardError = againOutput.pipe
        again.standardOutput = againOutput.pipe
        let t1 = monotonicSeconds()
        try again.run()
        defer { if again.isRunning { again.terminate(); again.waitUntilExit() } }
        while true {
            guard let m = receive(fd, timeout: 120) else {
                throw ValidationError("no READY=1 within 120 s after a restart; its last output:\n\(againOutput.tail.joined(separator: "\n"))")
            }
            if m.contains("READY=1") { break }
        }
        print(String(format: "  restart to READY=1 %.2f s (target < 3 s; nothing new to announce; %d notifications in the outbox)",
                     monotonicSeconds() - t1, try copied.outboxSummary().sent))
        print("  daemon output      \(output.lines) lines on its first run")
        again.terminate()
        again.waitUntilExit()
        close(fd)
        try? FileManager.default.removeItem(atPath: dir)
    }

    func memory(_ pid: Int32, _ key: String) -> Double {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(key) } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    /// Context switches of each of the process's threads, by thread id.
    func switches(_ pid: Int32) -> [String: Int] {
        var out: [String: Int] = [:]
        for t in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/status", encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches") || line.hasPrefix("nonvoluntary_ctxt_switches") {
                out[t, default: 0] += Int(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0
            }
        }
        return out
    }

    func bindDatagramSocket(_ path: String) throws -> Int32 {
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in Array(path.utf8).enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if r != 0 { throw ValidationError("cannot bind \(path)") }
        return fd
    }

    func receive(_ fd: Int32, timeout: Double) -> String? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, Int32(max(1, timeout * 1000))) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }
}

/// Reads a child process's output on a thread of its own as it comes, keeping a count and the last lines.
final class OutputDrain: @unchecked Sendable {
    let pipe = Pipe()
    private let lock = NSLock()
    private var count = 0
    private var last: [String] = []
    private var partial = Data()

    init() {
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                take(data)
            }
        }
        thread.start()
    }

    private func take(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        partial.append(data)
        var start = partial.startIndex
        while let nl = partial[start...].firstIndex(of: 10) {
            count += 1
            last.append(String(decoding: partial[start..<nl], as: UTF8.self))
            if last.count > 20 { last.removeFirst() }
            start = nl + 1
        }
        partial = Data(partial[start...])
    }

    /// Lines read so far.
    var lines: Int { lock.withLock { count } }
    /// The last 20 lines.
    var tail: [String] { lock.withLock { last } }
}
