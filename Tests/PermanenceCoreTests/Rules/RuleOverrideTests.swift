import Testing

@testable import PermanenceCore

/// `[override.ID]` tables in another file: a rule switched off or changed without copying its pack.
@Suite struct RuleOverrideTests {
    let pack = """
        [pack]
        id = "p"
        title = "Pack"
        source = "doc"
        statutory = true

        [[rule]]
        id = "post-placement-visit"
        title = "Visit within 72 hours"
        anchor = "placed-for-adoption"
        due = "72h"
        met-by = "visit"
        owner = "permanence-sw"
        remind = ["24h"]
        escalate = [{ after = "0h", notify = ["team-manager"] }]

        [[rule]]
        id = "adoption-review"
        title = "First review"
        anchor = "placed-for-adoption"
        due = "28d"
        met-by = "review"
        owner = "iro"
        """

    func load(_ files: [String]) -> Result<RuleSet, ConfigErrors> {
        do {
            return .success(try RuleSetFixture.inline(packs: files, config: ""))
        } catch let e as ConfigErrors {
            return .failure(e)
        } catch {
            return .failure(ConfigErrors([]))
        }
    }

    func issues(_ files: [String]) -> [String] {
        guard case .failure(let e) = load(files) else { return [] }
        return e.issues.map(\.description)
    }

    let placed = events([("p", "placed-for-adoption", "2026-03-02T10:00")])
    let child = ChildCase(reference: "C1", plan: "adoption", calendar: "england-and-wales", assignments: shippedTeam)

    @Test func aSwitchedOffRuleIsNotEvaluatedAndSaysWhere() throws {
        let off = """
            # the council's own visit rule replaces this one
            [override.post-placement-visit]
            enabled = false
            """
        let set = try RuleSetFixture.inline(packs: [pack, off], config: "")
        #expect(set.rules.map(\.id) == ["adoption-review"])
        #expect(set.packs[0].disabled.map(\.id) == ["post-placement-visit"])
        #expect(set.packs[0].disabled[0].origin("enabled") == SourceLocation(file: "pack1.toml", line: 3))
        let deadlines = Evaluator(ruleSet: set).evaluate(child, events: placed).deadlines
        #expect(deadlines.map(\.ruleID) == ["adoption-review"])
        // A statutory timescale switched off is a gap the admin is told about, with where it was done.
        let warning = set.statutoryCoverage(calendar: "england-and-wales", packs: []).warning ?? ""
        #expect(warning.contains("post-placement-visit (pack1.toml:3)"), "\(warning)")
        // Without the override, the same case has both deadlines.
        #expect(Evaluator(ruleSet: try RuleSetFixture.inline(packs: [pack], config: "")).evaluate(child, events: placed).deadlines.count == 2)
    }

    @Test func changedKeysComeFromTheOverrideAndTheRestFromThePack() throws {
        let local = """
            [override.post-placement-visit]
            remind = ["48h", "24h"]
            owner = "social-worker"
            copy = ["team-manager"]
            severity = "urgent"

            [[override.post-placement-visit.escalate]]
            after = "4h"
            notify = ["service-manager"]
            """
        let set = try RuleSetFixture.inline(packs: [pack, local], config: "")
        let r = try #require(set.rules.first { $0.id == "post-placement-visit" })
        #expect(r.remind == [Offset(48, .hours), Offset(24, .hours)])
        #expect(r.owner == "social-worker")
        #expect(r.copy == ["team-manager"])
        #expect(r.severity == .urgent)
        #expect(r.escalate == [Escalation(after: Offset(4, .hours), roles: ["service-manager"])])
        #expect(r.due == Offset(72, .hours))
        #expect(r.origin("remind") == SourceLocation(file: "pack1.toml", line: 2))
        #expect(r.origin("severity") == SourceLocation(file: "pack1.toml", line: 5))
        #expect(r.origin("due") == SourceLocation(file: "pack0.toml", line: 11))
        let shown = r.effectiveKeys(pack: set.packs[0])
        #expect(shown.contains { $0.text == #"remind = ["48h", "24h"]"# && $0.origin == "pack1.toml:2 (override)" })
        #expect(shown.contains { $0.text == #"due = "72h""# && $0.origin == "pack0.toml:11" })
        #expect(shown.contains { $0.text == #"working-days = "statutory""# && $0.origin == "pack0.toml:1 ([pack])" })
        // The reminders follow: 48 hours before the deadline the new owner hears of it.
        let planned = NotificationPlanner(ruleSet: set).plan(
            Evaluator(ruleSet: set).evaluate(child, events: placed), from: instant("2026-03-01T00:00"), until: instant("2026-03-04T00:00"))
        #expect(planned.contains { $0.at == instant("2026-03-03T10:00") && $0.recipients.map(\.role).contains("social-worker") }, "\(planned)")
    }

    @Test func aLaterFileWinsKeyByKey() throws {
        let a = "[override.adoption-review]\nseverity = \"important\"\nremind = [\"5d\"]\n"
        let b = "[override.adoption-review]\nremind = [\"2d\"]\n"
        let r = try #require(try RuleSetFixture.inline(packs: [pack, a, b], config: "").rules.first { $0.id == "adoption-review" })
        #expect(r.remind == [Offset(2, .days)])
        #expect(r.severity == .important)
        #expect(r.origin("remind").file == "pack2.toml")
        #expect(r.origin("severity").file == "pack1.toml")
    }

    /// Renaming override files can change which one wins: the fingerprint (which decides when stored deadlines
    /// are worked out again) changes with it.
    @Test func theFingerprintFollowsTheOrderOverridesApplyIn() throws {
        let a = "[override.adoption-review]\nowner = \"team-manager\"\n"
        let b = "[override.adoption-review]\nowner = \"social-worker\"\n"
        let ab = try RuleSetFixture.inline(packs: [pack, a, b], config: "")
        let ba = try RuleSetFixture.inline(packs: [pack, b, a], config: "")
        #expect(ab.rules.first { $0.id == "adoption-review" }?.owner == "social-worker")
        #expect(ba.rules.first { $0.id == "adoption-review" }?.owner == "team-manager")
        #expect(ab.fingerprint != ba.fingerprint)
        #expect(try RuleSetFixture.inline(packs: [pack, a, b], config: "", directory: "/elsewhere/").fingerprint == ab.fingerprint)
    }

    /// A rule switched off is not checked against the vocabulary: that is how an admin keeps a shipped rule
    /// naming an event their vocabulary dropped from stopping the daemon.
    @Test func aSwitchedOffRuleNeedNotMatchTheVocabulary() throws {
        let broken = pack.replacingOccurrences(of: "met-by = \"review\"", with: "met-by = \"an-event-we-dropped\"")
        #expect(throws: ConfigErrors.self) { try RuleSetFixture.inline(packs: [broken], config: "") }
        let set = try RuleSetFixture.inline(packs: [broken, "[override.adoption-review]\nenabled = false\n"], config: "")
        #expect(set.rules.map(\.id) == ["post-placement-visit"])
        #expect(set.switchedOffRules(plan: "adoption", calendar: "england-and-wales", packs: []).map(\.id) == ["adoption-review"])
        #expect(set.switchedOffRules(plan: "adoption", calendar: "england-and-wales", packs: ["another-pack"]).isEmpty)
    }

    @Test func anOverrideOfARuleNoPackHasIsAWarningWithItsLine() throws {
        let stale = "# written for 0.8\n\n[override.post-placement-vist]\nenabled = false\n"
        let set = try RuleSetFixture.inline(packs: [pack, stale], config: "")
        #expect(set.rules.count == 2)
        #expect(set.warnings.map(\.description) == [
            "pack1.toml:3: override.post-placement-vist: no pack has a rule 'post-placement-vist' (did you mean 'post-placement-visit'?), so this override changes nothing (was the rule renamed or removed by an upgrade?)",
        ])
    }

    @Test func aBadOverrideIsRefusedNamingItsFileLineAndKey() {
        let found = issues([pack, """
            [override.adoption-review]
            due = "20d"
            owner = "nobody"
            severity = "critical"
            enabled = "no"

            [override.post-placement-visit]
            """])
        #expect(found.contains { $0.hasPrefix("pack1.toml:2: override.adoption-review.due: an override can set only enabled, remind, escalate, owner, copy, severity") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("pack1.toml:3: override.adoption-review.owner: unknown role 'nobody'") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("pack1.toml:4: override.adoption-review.severity: 'critical' is not one of") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("pack1.toml:5: override.adoption-review.enabled: expected true or false") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("pack1.toml:7: override.post-placement-visit: an override with no keys changes nothing") }, "\(found)")
        // A rule in a file of overrides belongs in a pack.
        let stray = issues([pack, "[override.adoption-review]\nenabled = false\n\n[[rule]]\nid = \"x\"\n"])
        #expect(stray.contains { $0.hasPrefix("pack1.toml:4: rule: a file of overrides holds only [override.RULE-ID] tables") }, "\(stray)")
    }
}
