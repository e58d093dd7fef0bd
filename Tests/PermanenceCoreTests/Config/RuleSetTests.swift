import Testing

@testable import PermanenceCore

@Suite struct RuleSetTests {
    let goodPack = """
        [pack]
        id = "p"
        title = "Pack"
        source = "doc"

        [[rule]]
        id = "post-placement-visit"
        title = "Visit within 72 hours"
        anchor = "placed-for-adoption"
        due = "72h"
        met-by = "visit"
        owner = "permanence-sw"
        remind = ["24h"]
        escalate = [{ after = "0h", notify = ["team-manager"] }]
        """

    func issues(_ packs: [String], config: String = "", vocabulary: String = testVocabulary) -> [ConfigIssue] {
        do {
            _ = try RuleSetFixture.inline(packs: packs, config: config, vocabulary: vocabulary)
            return []
        } catch let error as ConfigErrors {
            return error.issues
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    func configIssues(_ text: String) -> [ConfigIssue] {
        do {
            _ = try RuleSet.parseConfiguration(SourceFile(path: "test.toml", text: text))
            return []
        } catch {
            return error.issues
        }
    }

    /// The fingerprint is the rules' content: the same files read from another directory give the same one;
    /// a changed rule, or zone rules from another tzdata release, give another (stored deadlines recompute).
    @Test func theFingerprintIsContentAndTheTzdataVersion() throws {
        // (`config: ""` picks this file's helper, on the test vocabulary, not TestSupport's shipped one.)
        let here = try RuleSetFixture.inline(packs: [goodPack], config: "").fingerprint
        #expect(try RuleSetFixture.inline(packs: [goodPack], config: "", directory: "/elsewhere/").fingerprint == here)
        #expect(try RuleSetFixture.inline(packs: [goodPack.replacingOccurrences(of: "72h", with: "48h")], config: "").fingerprint != here)
        var upgraded = ZoneRules.europeLondon
        upgraded.source = "tzdata 2099z"
        #expect(try RuleSetFixture.inline(packs: [goodPack], config: "", zone: upgraded).fingerprint != here)
    }

    @Test func aValidPackLoads() throws {
        let set = try RuleSetFixture.shipped(packs: [goodPack])
        #expect(set.rules.map(\.id) == ["post-placement-visit"])
        #expect(set.rules[0].dueTime == .exact)
        #expect(set.rules[0].escalate == [Escalation(after: Offset(0, .hours), roles: ["team-manager"])])
    }

    @Test func unknownKeysAreReportedWithLineAndSuggestion() {
        let pack = goodPack.replacingOccurrences(of: "remind = [\"24h\"]", with: "remnd = [\"24h\"]")
        let found = issues([pack])
        #expect(found.count == 1)
        #expect(found.first?.file == "pack0.toml")
        #expect(found.first?.line == 13)
        #expect(found.first?.key == "rule.post-placement-visit.remnd")
        #expect(found.first?.message.contains("did you mean 'remind'") == true)
    }

    @Test func badOffsetsUnknownRolesAndEventsAreReported() {
        var pack = goodPack.replacingOccurrences(of: "due = \"72h\"", with: "due = \"72x\"")
        var found = issues([pack])
        #expect(found.map(\.key) == ["rule.post-placement-visit.due"])
        #expect(found.first?.line == 10)

        pack = goodPack.replacingOccurrences(of: "owner = \"permanence-sw\"", with: "owner = \"permanance-sw\"")
        found = issues([pack])
        #expect(found.map(\.key) == ["rule.post-placement-visit.owner"])
        #expect(found.first?.message.contains("unknown role 'permanance-sw'") == true)
        #expect(found.first?.message.contains("did you mean 'permanence-sw'") == true)

        pack = goodPack.replacingOccurrences(of: "anchor = \"placed-for-adoption\"", with: "anchor = \"placed-for-adopton\"")
        found = issues([pack])
        #expect(found.map(\.key) == ["rule.post-placement-visit.anchor"])
        #expect(found.first?.line == 9)
        #expect(found.first?.message.contains("not defined in vocabulary.toml") == true)

        pack = goodPack.replacingOccurrences(of: "met-by = \"visit\"", with: "met-by = \"vist\"")
        #expect(issues([pack]).map(\.key) == ["rule.post-placement-visit.met-by"])
    }

    /// `later` is one change of interval or a list of them; each is checked where it stands.
    @Test func changesOfIntervalAreOneTableOrAList() throws {
        func pack(_ later: String) -> String { goodPack + "\n[rule.repeat]\nevery = [\"1w\"]\nlater = \(later)\n" }
        let one = try RuleSetFixture.shipped(packs: [pack(#"{ when = "review", every = "4w" }"#)])
        #expect(one.rules[0].recurrence?.changes == [IntervalChange(when: ["review"], every: Offset(4, .weeks))])
        let two = try RuleSetFixture.shipped(packs: [pack(#"[{ when = "review", every = "4w" }, { after = "12mo", when = "visit", every = "3mo" }]"#)])
        #expect(two.rules[0].recurrence?.changes == [
            IntervalChange(when: ["review"], every: Offset(4, .weeks)),
            IntervalChange(after: Offset(12, .months), when: ["visit"], every: Offset(3, .months)),
        ])
        let found = issues([pack(#"[{ when = "review", every = "4w" }, { every = "6w" }, "3mo", { when = "reviw", every = "-2w" }]"#)])
        #expect(found.allSatisfy { $0.file == "pack0.toml" && $0.line == 17 }, "\(found)")
        #expect(found.contains { $0.key == "rule.post-placement-visit.repeat.later[2].after" && $0.message.contains("required") }, "\(found)")
        #expect(found.contains { $0.key == "rule.post-placement-visit.repeat.later" && $0.message.contains("expected a table, found a string") }, "\(found)")
        #expect(found.contains { $0.key == "rule.post-placement-visit.repeat.later[4].every" && $0.message.contains("positive") }, "\(found)")
        #expect(found.contains { $0.key == "rule.post-placement-visit.repeat.later[4].when" && $0.message.contains("unknown event 'reviw'") && $0.message.contains("did you mean 'review'") }, "\(found)")
        // Written over several lines, each at its own.
        let lines = issues([pack("[\n    { when = \"review\", every = \"4w\" },\n    { when = \"reviw\", every = \"6w\" },\n]")])
        #expect(lines.map { "\($0.line) \($0.key)" } == ["19 rule.post-placement-visit.repeat.later[2].when"], "\(lines)")
        #expect(found.count == 4, "\(found)")
    }

    @Test func duplicateRuleIdsNameBothPlaces() {
        let other = goodPack.replacingOccurrences(of: "id = \"p\"", with: "id = \"q\"")
        let found = issues([goodPack, other])
        #expect(found.count == 1)
        #expect(found.first?.file == "pack1.toml")
        #expect(found.first?.message.contains("first defined in pack0.toml:7") == true)
    }

    @Test func missingRequiredKeysAndWrongTypes() {
        let pack = """
            [pack]
            id = "p"
            title = "t"
            source = "s"
            [[rule]]
            id = "r"
            title = 5
            due = "1w"
            met-by = "visit"
            owner = "social-worker"
            """
        let found = issues([pack])
        #expect(found.contains { $0.key == "rule.r.title" && $0.message.contains("expected a string, found an integer") })
        #expect(found.contains { $0.key == "rule.r.anchor" && $0.message.contains("required") })
    }

    @Test func tomlSyntaxErrorsNameTheLine() {
        let found = issues([goodPack + "\nbroken = [1,\n"])
        #expect(found.count == 1)
        #expect(found.first?.message.contains("TOML syntax error") == true)
    }

    @Test func configurationErrors() {
        let found = configIssues("""
            time-zone = "Europe/London"
            default-calender = "scotland"
            [notify]
            day-start = "9am"
            [calendars.wales-council]
            closed-annually = [{ date = "12-32" }]
            [calendars.scotland]
            remove = ["2026-11-27"]
            """)
        let keys = found.map(\.key)
        #expect(keys.contains("default-calender"))
        #expect(found.first { $0.key == "default-calender" }?.message.contains("did you mean 'default-calendar'") == true)
        #expect(keys.contains("notify.day-start"))
        #expect(keys.contains("calendars.wales-council.nation"))
        #expect(keys.contains("calendars.wales-council.closed-annually[1].date"))
        #expect(found.contains { $0.key == "calendars.scotland.remove" && $0.message.contains("not a bank holiday") })
    }

    /// Digests name children's cases: clear text only to a relay on this machine, or with an explicit opt-out.
    @Test(arguments: [
        ("smtp.example.org", false, true), ("10.0.0.5", false, true), ("127.0.0.1", false, false), ("localhost", false, false),
        ("[::1]", false, false), ("127.0.0.256", false, true), ("smtp.example.org", true, false),
    ])
    func cleartextOnlyToALoopbackRelay(host: String, optOut: Bool, refused: Bool) {
        let found = configIssues("""
            [email]
            host = "\(host)"
            tls = "none"
            \(optOut ? "insecure-cleartext-relay = true" : "")
            """)
        let tls = found.first { $0.key == "email.tls" }
        #expect((tls != nil) == refused, "\(host): \(found)")
        if refused { #expect(tls?.line == 3 && tls?.message.contains("clear text") == true) }
    }

    @Test func emailSettingsAreCheckedKeyByKey() throws {
        let found = configIssues("""
            [email]
            enabled = true
            tls = "ssl"
            from = "not an address"
            username = "pd"
            digest-times = ["8:30", "17:00"]
            immediate = ["critical"]
            quiet-start = "7pm"
            retry = ["1m", "soon"]
            give-up-after = "forever"
            case-link = "https://records.example/"
            pasword-file = "pw"
            """)
        let byKey = Dictionary(found.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byKey["email.tls"]?.line == 3)
        #expect(byKey["email.from"]?.line == 4)
        #expect(byKey["email.digest-times"]?.message.contains("'8:30'") == true)
        #expect(byKey["email.immediate"]?.message.contains("routine, important, urgent") == true)
        #expect(byKey["email.quiet-start"] != nil)
        #expect(byKey["email.retry"]?.message.contains("'soon'") == true)
        #expect(byKey["email.give-up-after"] != nil)
        #expect(byKey["email.case-link"]?.message.contains("{case}") == true)
        #expect(byKey["email.pasword-file"]?.message.contains("did you mean 'password-file'") == true)
        #expect(byKey["email.password-file"]?.message.contains("never in this file") == true)
        // A good table parses to what it says.
        let c = try RuleSet.parseConfiguration(SourceFile(path: "ok.toml", text: """
            [email]
            enabled = true
            tls = "tls"
            digest-times = ["17:00", "08:30"]
            digest-days = "all"
            quiet-start = ""
            retry = ["30s", "2h"]
            give-up-after = "2d"
            """)).email
        #expect(c.enabled && c.tls == "tls" && c.digestTimes == [8 * 3600 + 1800, 17 * 3600] && c.digestOnEveryDay)
        #expect(c.quietStart == nil && c.retry == [30, 7200] && c.giveUpAfter == 2 * 86_400)
    }

    @Test func configuredCalendarsAndDefaultPacksAreChecked() {
        let found = issues([goodPack], config: """
            default-calendar = "atlantis"
            default-packs = ["nope"]
            """)
        #expect(found.map(\.key).sorted() == ["default-calendar", "default-packs"])
        #expect(found.allSatisfy { $0.line >= 1 && $0.file == "test.toml" })
    }
}
