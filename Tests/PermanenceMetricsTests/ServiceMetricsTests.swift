import Foundation
import PermanenceCore
import PermanenceStore
import TestSupport
import Testing

@testable import PermanenceMetrics

/// The figures a scrape serves, from a real SQLite store with the test's own packs: dates worked out by hand.
@Suite struct ServiceMetricsTests {
    // A statutory pack (a visit 5 days after placement) and a local one (a review 20 days after it).
    static let packs = [
        """
        [pack]
        id = "test-statutory"
        title = "Statutory"
        source = "test"
        statutory = true

        [[rule]]
        id = "statutory-visit"
        title = "Visit within 5 days of placement"
        anchor = "placed-for-adoption"
        due = "5d"
        met-by = "visit"
        owner = "social-worker"
        """,
        """
        [pack]
        id = "test-local"
        title = "Local"
        source = "test"

        [[rule]]
        id = "local-review"
        title = "Review within 20 days of placement"
        anchor = "placed-for-adoption"
        due = "20d"
        met-by = "review"
        owner = "social-worker"
        """,
    ]

    let now = instant("2026-03-20T10:00")
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    /// E1 (England) placed on 10 March: its visit was due 15 March (overdue), its review 30 March (not within
    /// 7 days). S1 (Scotland) placed on 18 March: visit due 23 March (within 7 days), review 7 April. W1 (Wales)
    /// without events. E2 closed: counts nowhere.
    func seeded() throws -> Store {
        let set = try RuleSetFixture.inline(packs: Self.packs)
        let s = try Store(path: dir.appendingPathComponent("m.sqlite").path, ruleSet: set)
        let opened = instant("2026-01-05")
        for (ref, calendar) in [("E1", "england-and-wales"), ("S1", "scotland"), ("W1", "wales"), ("E2", "england-and-wales")] {
            try s.openCase(ChildCase(reference: ref, plan: "adoption", calendar: calendar), openedAt: opened, actor: "test", now: now)
        }
        for (ref, at) in [("E1", "2026-03-10T09:00"), ("S1", "2026-03-18T09:00"), ("E2", "2026-03-01T09:00")] {
            try s.record(CaseEvent(id: "\(ref)-placed", caseRef: ref, kind: "placed-for-adoption", at: instant(at)), source: "test", actor: "test", now: now)
        }
        try s.closeCase("E2", at: instant("2026-03-12"), actor: "test", now: now)
        return s
    }

    /// The value of the series whose line starts with `series` (name and labels), or nil.
    func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    @Test func deadlinesAreCountedByStateNationAndStatutoryAndNoCaseIsNamed() throws {
        let store = try seeded()
        let metrics = ServiceMetrics(version: "9.9.9", ruleSet: store.ruleSet)
        metrics.update(try store.figures(now: now), now: now)
        let text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(value(text, #"permanenced_deadlines{state="overdue",nation="england",statutory="yes"}"#) == 1, "\(text)")
        #expect(value(text, #"permanenced_deadlines{state="overdue",nation="england",statutory="no"}"#) == 0)
        #expect(value(text, #"permanenced_deadlines{state="due_7d",nation="scotland",statutory="yes"}"#) == 1)
        #expect(value(text, #"permanenced_deadlines{state="due_7d",nation="scotland",statutory="no"}"#) == 0)
        #expect(value(text, #"permanenced_deadlines{state="due_7d",nation="england",statutory="no"}"#) == 0)
        #expect(value(text, #"permanenced_open_cases{nation="england"}"#) == 1)
        #expect(value(text, #"permanenced_open_cases{nation="scotland"}"#) == 1)
        #expect(value(text, #"permanenced_open_cases{nation="wales"}"#) == 1)
        #expect(value(text, #"permanenced_open_cases{nation="northern-ireland"}"#) == 0)
        #expect(text.contains("# HELP permanenced_deadlines "))
        #expect(text.contains(#"permanenced_build_info{version="9.9.9",rules_fingerprint=""#))
        for ref in ["E1", "E2", "S1", "W1"] { #expect(!text.contains(ref), "\(ref) in the metrics") }
        #expect((value(text, "permanenced_store_size_bytes") ?? 0) > 0)

        // Two days on, S1's visit (23 March) is overdue too, and E1's review (30 March) falls within 7 days.
        let later = instant("2026-03-24T10:00")
        metrics.update(try store.figures(now: later), now: later)
        let after = String(decoding: metrics.render(), as: UTF8.self)
        #expect(value(after, #"permanenced_deadlines{state="overdue",nation="scotland",statutory="yes"}"#) == 1)
        #expect(value(after, #"permanenced_deadlines{state="due_7d",nation="england",statutory="no"}"#) == 1)
        // Met: the visit no longer counts.
        try store.record(CaseEvent(id: "E1-visit", caseRef: "E1", kind: "visit", at: instant("2026-03-24T09:00")), source: "test", actor: "test", now: later)
        metrics.update(try store.figures(now: later), now: later)
        #expect(value(String(decoding: metrics.render(), as: UTF8.self), #"permanenced_deadlines{state="overdue",nation="england",statutory="yes"}"#) == 0)
    }

    @Test func countersAndTimesFollowWhatTheDaemonReports() throws {
        let store = try seeded()
        let metrics = ServiceMetrics(version: "1", ruleSet: store.ruleSet)
        metrics.delivered(.journal, .delivered, count: 3)
        metrics.delivered(.email, .givenUp)
        metrics.relayFailed(kind: "auth")
        metrics.relayFailed(kind: "something new")
        metrics.evaluated(.step, cases: 2, seconds: 0.003, at: instant("2026-03-20T09:59"))
        metrics.nextWakeup(instant("2026-03-20T11:00"))
        metrics.update(try store.figures(now: now), now: now)
        let text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(value(text, #"permanenced_deliveries_total{target="journal",outcome="delivered"}"#) == 3, "\(text)")
        #expect(value(text, #"permanenced_deliveries_total{target="email",outcome="given_up"}"#) == 1)
        #expect(value(text, #"permanenced_deliveries_total{target="email",outcome="delivered"}"#) == 0)
        #expect(value(text, #"permanenced_relay_failures_total{kind="auth"}"#) == 1)
        #expect(value(text, #"permanenced_relay_failures_total{kind="protocol"}"#) == 1)
        #expect(value(text, #"permanenced_evaluations_total{kind="step"}"#) == 1)
        #expect(value(text, "permanenced_cases_evaluated_total") == 2)
        #expect(value(text, #"permanenced_evaluation_duration_seconds_bucket{kind="step",le="0.005"}"#) == 1)
        #expect(value(text, #"permanenced_evaluation_duration_seconds_bucket{kind="step",le="0.001"}"#) == 0)
        #expect(value(text, "permanenced_seconds_since_last_evaluation") == 60)
        #expect(value(text, "permanenced_next_wakeup_timestamp_seconds") == Double(instant("2026-03-20T11:00").seconds))
    }

    @Test func aReloadNamesTheNewRulesOnce() throws {
        let store = try seeded()
        let metrics = ServiceMetrics(version: "1", ruleSet: store.ruleSet)
        let other = try RuleSetFixture.inline(packs: [Self.packs[0]])
        metrics.rulesChanged(other)
        let text = String(decoding: metrics.render(), as: UTF8.self)
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("permanenced_build_info{") }
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.contains("rules_fingerprint=\"\(other.fingerprint.prefix(12))\"") == true)
        #expect(lines.first?.contains(#"rules="1""#) == true)
    }
}
