import Foundation
import Testing
import TestSupport

/// `[metrics]`: the real daemon serving `/metrics`, scraped by a real Prometheus (Debian's `prometheus`, on
/// loopback), and the shipped alerting rules checked and unit-tested with `promtool`.
@Suite(.serialized) struct MetricsTests {
    static let prometheus = "/usr/bin/prometheus"
    static let promtoolPath = "/usr/bin/promtool"

    /// An HTTP GET with Python's standard library (another process, as a scraper is): status and body. `unix`:
    /// over that Unix socket instead of TCP.
    static func get(_ url: String, unix: String? = nil, method: String = "GET") throws -> (status: Int, body: String) {
        let (text, exit) = try runProgram("/usr/bin/python3", ["-c", """
            import http.client, socket, sys, urllib.parse
            url, path, method = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2], sys.argv[3]
            class UnixConnection(http.client.HTTPConnection):
                def connect(self):
                    self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    self.sock.connect(path)
            c = UnixConnection("localhost", timeout=20) if path else http.client.HTTPConnection(url.hostname, url.port, timeout=20)
            c.request(method, url.path + ("?" + url.query if url.query else ""))
            r = c.getresponse()
            print(r.status)
            print(r.getheader("Content-Type"))
            sys.stdout.write(r.read().decode())
            """, url, unix ?? "", method])
        let lines = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        guard exit == 0, let status = lines.first.flatMap({ Int($0) }) else { return (0, text) }
        return (status, lines.count > 2 ? String(lines[1]) + "\n" + String(lines[2]) : String(lines.dropFirst().joined(separator: "\n")))
    }

    /// The value of one series in a `/metrics` body.
    static func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    /// `promtool` with `args`: its exit status and output (standard error too).
    static func promtool(_ args: [String]) throws -> (Int32, String) {
        let (out, status) = try runProgram(promtoolPath, args, errorsToo: true)
        return (status, out)
    }

    func withMetrics(_ h: DaemonHarness, listen: String) throws {
        let text = try String(contentsOfFile: h.config, encoding: .utf8)
        try text.replacingOccurrences(of: "[metrics]\n", with: "[metrics]\nlisten = \"\(listen)\"\n")
            .write(toFile: h.config, atomically: true, encoding: .utf8)
    }

    @Test func aRealPrometheusScrapesTheDaemonAndSeesADeadlineFallDue() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.prometheus), "Debian's prometheus is not installed (scripts/setup --tests installs it)")
        let h = try DaemonHarness()
        let port = TestSMTPServer.freePort()
        try withMetrics(h, listen: "127.0.0.1:\(port)")
        let ref = "MET-\(UUID().uuidString.prefix(6))"
        // One case whose exact 72-hour visit (a local, not statutory, rule) falls due 8 seconds after it is
        // seeded, another far off.
        try h.seed([("\(ref)-soon", 8), ("\(ref)-later", DaemonHarness.farOff)])
        try #require(try h.start() != nil, "no READY=1; log:\n\(h.log)")
        defer { h.stop() }

        let first = try Self.get("http://127.0.0.1:\(port)/metrics")
        #expect(first.status == 200, "\(first.body)\n\(h.log)")
        #expect(first.body.hasPrefix("text/plain; version=0.0.4"))
        #expect(Self.value(first.body, #"permanenced_open_cases{nation="england"}"#) == 2, "\(first.body)")
        #expect(Self.value(first.body, #"permanenced_deadlines{state="overdue",nation="england",statutory="no"}"#) == 0)
        // Both are due within 7 days (the far one in 72 hours).
        #expect(Self.value(first.body, #"permanenced_deadlines{state="due_7d",nation="england",statutory="no"}"#) == 2)
        #expect(!first.body.contains(ref), "a case reference in the metrics")
        #expect(!first.body.contains("sw@example.org") && !first.body.contains("Social Worker"))
        #expect((Self.value(first.body, "permanenced_next_wakeup_timestamp_seconds") ?? 0) > 0)
        #expect(try Self.get("http://127.0.0.1:\(port)/other").status == 404)
        #expect(try Self.get("http://127.0.0.1:\(port)/metrics", method: "POST").status == 405)

        // A real Prometheus scraping it every second.
        let promPort = TestSMTPServer.freePort()
        let promDir = h.dir.appendingPathComponent("prometheus")
        try FileManager.default.createDirectory(at: promDir, withIntermediateDirectories: true)
        let promConfig = promDir.appendingPathComponent("prometheus.yml").path
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: permanenced
                static_configs:
                  - targets: ["127.0.0.1:\(port)"]
            """.write(toFile: promConfig, atomically: true, encoding: .utf8)
        let prom = Process()
        prom.executableURL = URL(fileURLWithPath: Self.prometheus)
        prom.arguments = ["--config.file=\(promConfig)", "--storage.tsdb.path=\(promDir.appendingPathComponent("data").path)",
                          "--web.listen-address=127.0.0.1:\(promPort)"]
        prom.standardOutput = FileHandle.nullDevice
        let promLog = promDir.appendingPathComponent("prometheus.log")
        FileManager.default.createFile(atPath: promLog.path, contents: nil)
        prom.standardError = try FileHandle(forWritingTo: promLog)
        try prom.run()
        defer { prom.terminate(); prom.waitUntilExit() }

        /// The query's single value, as Prometheus answers it now (nil: no series yet).
        func query(_ q: String) throws -> Double? {
            let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let r = try Self.get("http://127.0.0.1:\(promPort)/api/v1/query?query=\(encoded)")
            guard r.status == 200, let json = r.body.split(separator: "\n", maxSplits: 1).last,
                  let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
                  let result = (object["data"] as? [String: Any])?["result"] as? [[String: Any]],
                  let pair = result.first?["value"] as? [Any], let text = pair.last as? String else { return nil }
            return Double(text)
        }
        func eventually(_ q: String, _ expected: Double, within seconds: Double) throws -> Double? {
            let end = Date().addingTimeInterval(seconds)
            var last: Double?
            repeat {
                last = try query(q)
                if last == expected { return last }
                usleep(250_000)
            } while Date() < end
            return last
        }
        let overdue = #"permanenced_deadlines{state="overdue",nation="england",statutory="no"}"#
        let log = { (try? String(contentsOf: promLog, encoding: .utf8)) ?? "" }
        #expect(try eventually(#"up{job="permanenced"}"#, 1, within: 30) == 1, "Prometheus never scraped the daemon:\n\(log())")
        // Before the moment: nothing overdue; after it, Prometheus sees the one deadline overdue.
        #expect(try eventually(overdue, 1, within: 30) == 1, "\(log())\n\(h.log)")
        #expect(try query(#"permanenced_deadlines{state="due_7d",nation="england",statutory="no"}"#) == 1)
        #expect(try eventually(#"permanenced_open_cases{nation="england"}"#, 2, within: 5) == 2)
        // Its overdue notice and escalation were delivered (to the journal, or to stderr without journald).
        #expect(try eventually(#"sum(permanenced_deliveries_total{outcome="delivered"}) >= bool 2"#, 1, within: 20) == 1, "\(h.log)")
        #expect(try eventually(#"sum(permanenced_evaluations_total) >= bool 1"#, 1, within: 5) == 1)
        #expect(try query(#"count(permanenced_build_info{version="0.9.0"})"#) == 1)
    }

    @Test func aUnixSocketIsServedAndRemovedAtStop() throws {
        let h = try DaemonHarness()
        let path = h.dir.appendingPathComponent("metrics.sock").path
        try withMetrics(h, listen: "unix:\(path)")
        try h.seed(["UNIX-\(UUID().uuidString.prefix(6))"], dueIn: DaemonHarness.farOff)
        try #require(try h.start() != nil, "no READY=1; log:\n\(h.log)")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o660)
        let r = try Self.get("http://localhost/metrics", unix: path)
        #expect(r.status == 200, "\(r.body)\n\(h.log)")
        #expect(Self.value(r.body, #"permanenced_open_cases{nation="england"}"#) == 1)
        h.stop()
        #expect(!FileManager.default.fileExists(atPath: path), "the socket is left behind")
    }

    @Test func aListenerBeyondLoopbackIsRefusedAndABusyPortStopsTheStart() throws {
        let h = try DaemonHarness()
        try withMetrics(h, listen: "0.0.0.0:9464")
        let (said, refused) = try runProgram(CLITests.binary.path, ["check-config", "--config", h.config], errorsToo: true)
        #expect(refused != 0)
        #expect(said.contains("permanenced.toml:") && said.contains("metrics.listen") && said.contains("allow-remote"), "\(said)")

        // A port another process holds: the daemon does not start, and says why.
        let (busy, port) = loopbackSocket(listening: true)
        defer { close(busy) }
        let text = try String(contentsOfFile: h.config, encoding: .utf8)
        try text.replacingOccurrences(of: "listen = \"0.0.0.0:9464\"", with: "listen = \"127.0.0.1:\(port)\"")
            .write(toFile: h.config, atomically: true, encoding: .utf8)
        try h.seed(["BUSY-\(UUID().uuidString.prefix(6))"], dueIn: DaemonHarness.farOff)
        // Under timeout(1): were it to start regardless, it is stopped after 30 s (status 124).
        let (output, status) = try runProgram("/usr/bin/timeout", ["30", CLITests.binary.path] + h.runArguments(), errorsToo: true)
        #expect(status != 0 && status != 124, "\(status): \(output)")
        #expect(output.contains("cannot listen on 127.0.0.1:\(port)"), "\(output)")
    }

    @Test func theShippedAlertingRulesAreValidAndFireWhenTheyShould() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.promtoolPath), "promtool is not installed (Debian's prometheus; scripts/setup --tests)")
        let rules = CLITests.root.appendingPathComponent("config/prometheus/alerts.yml").path
        let (checked, out) = try Self.promtool(["check", "rules", rules])
        #expect(checked == 0, "\(out)")
        // The scrape example, pointed at the rules in the repository rather than where the package puts them.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("promtool-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scrape = try String(contentsOf: CLITests.root.appendingPathComponent("config/prometheus/scrape.yml"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/share/doc/permanenced/prometheus/alerts.yml", with: rules)
        try scrape.write(to: dir.appendingPathComponent("scrape.yml"), atomically: true, encoding: .utf8)
        let (configOK, configOut) = try Self.promtool(["check", "config", dir.appendingPathComponent("scrape.yml").path])
        #expect(configOK == 0, "\(configOut)")

        // Unit tests of the rules on series the test writes: each alert fires when its condition holds long
        // enough, and not before.
        try """
            rule_files:
              - \(rules)
            evaluation_interval: 1m
            tests:
              - interval: 1m
                input_series:
                  - series: 'permanenced_deadlines{instance="a",state="overdue",nation="england",statutory="yes"}'
                    values: '5+1x120'
                  - series: 'permanenced_deadlines{instance="a",state="overdue",nation="wales",statutory="yes"}'
                    values: '3x120'
                  - series: 'permanenced_mail_relay_refusing{instance="a"}'
                    values: '0 0 1x10'
                  - series: 'permanenced_deliveries_total{instance="a",target="email",outcome="given_up"}'
                    values: '0 0 0 1 1 1'
                  - series: 'permanenced_next_wakeup_timestamp_seconds{instance="a"}'
                    values: '60x80'
                  - series: 'permanenced_heartbeat_timestamp_seconds{instance="a"}'
                    values: '0 60 120 60x10'
                alert_rule_test:
                  - eval_time: 10m
                    alertname: PermanencedStatutoryDeadlinesOverdue
                    exp_alerts: []
                  - eval_time: 90m
                    alertname: PermanencedStatutoryDeadlinesOverdue
                    exp_alerts:
                      - exp_labels: { severity: warning, instance: a, nation: england }
                        exp_annotations:
                          summary: "95 statutory deadlines overdue in england (a)"
                          description: "More statutory deadlines are overdue than the authority's threshold. Team managers: see the weekly team report or permanenced agenda --overdue --team."
                  - eval_time: 4m
                    alertname: PermanencedRelayRefusing
                    exp_alerts: []
                  - eval_time: 8m
                    alertname: PermanencedRelayRefusing
                    exp_alerts:
                      - exp_labels: { severity: critical, instance: a }
                        exp_annotations:
                          summary: "The mail relay refuses permanenced on a"
                          description: "The relay refuses the login or TLS: no email goes out (nothing is given up; they wait). Fix the credential or relay settings, then run permanenced send-test."
                  - eval_time: 2m
                    alertname: PermanencedMailGivenUp
                    exp_alerts: []
                  - eval_time: 4m
                    alertname: PermanencedMailGivenUp
                    exp_alerts:
                      - exp_labels: { severity: warning, instance: a, target: email, outcome: given_up }
                        exp_annotations:
                          summary: "permanenced gave up emails on a"
                          description: "1 email(s) could not be delivered in the last hour and were given up (the admin address was told which). A worker may have missed a reminder or an escalation."
                  - eval_time: 64m
                    alertname: PermanencedNotEvaluating
                    exp_alerts: []
                  - eval_time: 70m
                    alertname: PermanencedNotEvaluating
                    exp_alerts:
                      - exp_labels: { severity: critical, instance: a }
                        exp_annotations:
                          summary: "permanenced on a has stopped evaluating"
                          description: "Its next wake-up passed 1h 9m 0s ago and nothing moved: deadlines falling due are not being announced. Check journalctl -u permanenced and permanenced status."
                  - eval_time: 6m
                    alertname: PermanencedHung
                    exp_alerts: []
                  - eval_time: 9m
                    alertname: PermanencedHung
                    exp_alerts:
                      - exp_labels: { severity: critical, instance: a }
                        exp_annotations:
                          summary: "permanenced on a does not answer"
                          description: "Its queue has not answered for 8m 0s: reminders and escalations are not going out. Check journalctl -u permanenced; systemctl restart permanenced."
            """.write(to: dir.appendingPathComponent("alerts.test.yml"), atomically: true, encoding: .utf8)
        let (tested, testOut) = try Self.promtool(["test", "rules", dir.appendingPathComponent("alerts.test.yml").path])
        #expect(tested == 0, "\(testOut)")
    }
}
