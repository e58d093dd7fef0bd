import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceConfig
import PermanenceDaemon
import PermanenceMail
import SMTPClient
import SMTPCore

/// Sends the same N composed digests to Postfix's `smtp-sink` on loopback twice over one connection each:
/// with our client, then with Python's `smtplib`, and prints messages per second for both.
struct SMTPBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smtp",
        abstract: "Send N digests to smtp-sink on loopback with our SMTP client and with Python's smtplib; messages per second.",
        discussion: "Needs Debian's postfix package (for /usr/sbin/smtp-sink) and python3.")

    @Option(help: "Messages to send.") var count = 10_000
    @Option(help: "Configuration directory.") var config = "config"
    @Option(help: "Rounds (each sends every message with both clients, ours first).") var rounds = 1

    func run() throws {
        let set = try loadShipped(config)
        var email = EmailConfiguration()
        email.from = "permanenced@council.example"
        email.caseLink = "https://records.example/cases/{case}"
        let templates = try ConfigLoader.templates(ruleSet: set, configPath: "\(config)/permanenced.toml")
        let composer = MailComposer(config: email, zone: set.zone, templates: templates, calendars: set.calendars, defaultCalendar: set.configuration.defaultCalendar)
        let now = Instant(seconds: Int(Date().timeIntervalSince1970))
        let rules = set.rules.prefix(6)
        var envelopes: [SMTPEnvelope] = []
        for i in 0..<count {
            let items = rules.enumerated().map { j, r in
                MailItem(key: "C-\(i)/\(r.id)/due0/\(j)", caseRef: "C-\(i % 500)", initials: "A.B.", ruleTitle: r.title, action: r.action,
                         source: r.source, stage: .due, severity: r.severity, dueAt: now.adding(seconds: (j - 2) * 86_400), isExact: j % 2 == 0)
            }
            let m = composer.composeDigest(to: .init(workerID: "w\(i % 1000)", name: "Worker \(i % 1000)", address: "w\(i % 1000)@council.example"),
                                            new: items, outstanding: [], now: now, id: "bench.\(i)")
            envelopes.append(SMTPEnvelope(id: i, from: email.from, recipients: ["w\(i % 1000)@council.example"], message: m.render()))
        }
        let bytes = envelopes.reduce(0) { $0 + $1.message.count }
        print("smtp benchmark: \(count) digests, \(bytes / count) bytes on average, to smtp-sink on 127.0.0.1, one connection each")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("permanenced-smtp-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The same messages for Python: length-prefixed records of from, to and message.
        var spool = Data()
        for e in envelopes {
            for field in [Array(e.from.utf8), Array(e.recipients[0].utf8), e.message] {
                spool += Data("\(field.count)\n".utf8) + Data(field)
            }
        }
        let spoolPath = dir.appendingPathComponent("spool").path
        _ = FileManager.default.createFile(atPath: spoolPath, contents: spool)
        let port = 20_000 + Int(getpid() % 20_000)
        let sink = Process()
        sink.executableURL = URL(fileURLWithPath: "/usr/sbin/smtp-sink")
        // smtp-sink must drop privileges when started as root, and cannot otherwise.
        sink.arguments = (getuid() == 0 ? ["-u", "nobody"] : []) + ["127.0.0.1:\(port)", "256"]
        try sink.run()
        defer { sink.terminate() }
        usleep(500_000)
        for round in 1...rounds {
            let ours = try timeOurs(envelopes, port: port)
            let python = try timeSmtplib(spoolPath, port: port)
            print(String(format: "  round %d: permanenced SMTPClient %8.0f messages/s (%.2f s)   Python smtplib %8.0f messages/s (%.2f s)   ratio %.2f",
                         round, Double(count) / ours, ours, Double(count) / python, python, python / ours))
        }
    }

    func timeOurs(_ envelopes: [SMTPEnvelope], port: Int) throws -> Double {
        let settings = SMTPSettings(host: "127.0.0.1", port: port, tls: .none, heloName: "bench.example")
        let client = SMTPClient(settings: settings)
        let t0 = monotonicSeconds()
        let outcomes = try DaemonExecutor.shared.wait { await client.send(envelopes) }
        let elapsed = monotonicSeconds() - t0
        let ok = outcomes.values.filter { if case .delivered = $0 { return true } else { return false } }.count
        guard ok == envelopes.count else { throw ValidationError("our client delivered \(ok) of \(envelopes.count)") }
        return elapsed
    }

    func timeSmtplib(_ spool: String, port: Int) throws -> Double {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", """
            import smtplib, sys, time
            def records(f):
                while True:
                    n = f.readline()
                    if not n: return
                    yield f.read(int(n))
            with open(sys.argv[1], "rb") as f:
                fields = list(records(f))
            msgs = [(fields[i].decode(), fields[i + 1].decode(), fields[i + 2]) for i in range(0, len(fields), 3)]
            t0 = time.monotonic()
            s = smtplib.SMTP("127.0.0.1", int(sys.argv[2]), local_hostname="bench.example")
            for frm, to, msg in msgs:
                s.sendmail(frm, [to], msg)
            s.quit()
            print(time.monotonic() - t0)
            """, spool, String(port)]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let s = Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ValidationError("smtplib run failed")
        }
        return s
    }
}
