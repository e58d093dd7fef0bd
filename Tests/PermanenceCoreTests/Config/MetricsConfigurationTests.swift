import PermanenceCore
import TestSupport
import Testing

/// `[metrics] listen`: loopback or a Unix socket, anything else only with `allow-remote = true`.
@Suite struct MetricsConfigurationTests {
    func parse(_ s: String, remote: Bool = false) -> MetricsEndpoint? { try? MetricsEndpoint.parse(s, allowRemote: remote).get() }

    func problem(_ s: String, remote: Bool = false) -> String? {
        if case .failure(let p) = MetricsEndpoint.parse(s, allowRemote: remote) { return p.message }
        return nil
    }

    @Test func loopbackAndUnixSocketsAreAccepted() {
        #expect(parse("127.0.0.1:9464") == .tcp(host: "127.0.0.1", port: 9464))
        #expect(parse("127.0.0.53:1") == .tcp(host: "127.0.0.53", port: 1))
        #expect(parse("[::1]:9464") == .tcp(host: "::1", port: 9464))
        #expect(parse("localhost:65535") == .tcp(host: "localhost", port: 65535))
        #expect(parse("unix:/run/permanenced/metrics.sock") == .unix(path: "/run/permanenced/metrics.sock"))
        #expect(parse("[::1]:9464")?.description == "[::1]:9464")
    }

    @Test func anythingBeyondLoopbackNeedsAllowRemote() {
        for s in ["0.0.0.0:9464", "10.1.2.3:9464", "[::]:9464", "[2001:db8::1]:9464", "128.0.0.1:9464"] {
            #expect(problem(s)?.contains("allow-remote") == true, "\(s)")
            #expect(parse(s, remote: true) != nil, "\(s)")
        }
    }

    @Test func badValuesSayWhatIsWrong() {
        #expect(problem("9464")?.contains("host:port") == true)
        #expect(problem(":9464")?.contains("empty host") == true)
        #expect(problem("127.0.0.1:0")?.contains("port") == true)
        #expect(problem("127.0.0.1:70000")?.contains("port") == true)
        #expect(problem("127.0.0.1:http")?.contains("port") == true)
        #expect(problem("metrics.example:9464")?.contains("IP address") == true)
        #expect(problem("127.0.0.256:9464")?.contains("IP address") == true)
        #expect(problem("unix:run/metrics.sock")?.contains("absolute") == true)
        #expect(problem("unix:/" + String(repeating: "a", count: 120))?.contains("107") == true)
        #expect(problem("[::1]9464")?.contains("brackets") == true)
    }

    static let pack = """
        [pack]
        id = "p"
        title = "P"
        source = "test"

        [[rule]]
        id = "r"
        title = "R"
        anchor = "placed-for-adoption"
        due = "5d"
        met-by = "visit"
        owner = "social-worker"
        """

    @Test func aWeekendTeamReportIsAcceptedWithAWarningAndABadOneRefused() throws {
        let sunday = try RuleSetFixture.inline(packs: [Self.pack], config: "[email]\nteam-report = \"sunday 18:00\"\n")
        #expect(sunday.configuration.email.teamReport == .init(weekday: 7, time: 18 * 3600))
        #expect(sunday.warnings.contains { $0.key == "email.team-report" && $0.message.contains("next working day") }, "\(sunday.warnings)")
        let monday = try RuleSetFixture.inline(packs: [Self.pack], config: "[email]\nteam-report = \"monday 08:00\"\n")
        #expect(!monday.warnings.contains { $0.key == "email.team-report" })
        let bad = #expect(throws: (any Error).self) {
            _ = try RuleSetFixture.inline(packs: [Self.pack], config: "[email]\nteam-report = \"mondays at 8\"\n")
        }
        #expect("\(bad!)".contains("test.toml:2") && "\(bad!)".contains("email.team-report"), "\(bad!)")
    }

    @Test func theConfigurationFileNamesTheLineOfABadListen() throws {
        let bad = #expect(throws: (any Error).self) {
            _ = try RuleSetFixture.inline(packs: [Self.pack], config: "[metrics]\nlisten = \"0.0.0.0:9464\"\n")
        }
        #expect("\(bad!)".contains("test.toml:2"), "\(bad!)")
        #expect("\(bad!)".contains("metrics.listen"), "\(bad!)")
        let off = try RuleSetFixture.inline(packs: [Self.pack], config: "")
        #expect(off.configuration.metrics.listen == nil)
        let on = try RuleSetFixture.inline(packs: [Self.pack], config: "[metrics]\nlisten = \"0.0.0.0:9464\"\nallow-remote = true\n")
        #expect(on.configuration.metrics.listen == .tcp(host: "0.0.0.0", port: 9464))
    }
}
