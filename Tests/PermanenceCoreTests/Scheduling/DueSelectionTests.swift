import Testing

@testable import PermanenceCore

/// What the daemon sends when it wakes, on the shipped rules: the 72-hour visit as the example.
@Suite struct DueSelectionTests {
    let set: RuleSet
    let evaluator: Evaluator
    let planner: NotificationPlanner

    init() throws {
        set = try shippedRuleSet()
        evaluator = Evaluator(ruleSet: set)
        planner = NotificationPlanner(ruleSet: set)
    }

    let adoption = ChildCase(
        reference: "T-1", plan: "adoption", calendar: "england-and-wales", packs: ["leicestershire-family-finding"],
        assignments: ["social-worker": "w.a", "permanence-sw": "s.p", "team-manager": "r.h"])

    func select(_ e: [CaseEvent], from: String, now: String) -> DueSelection {
        let planned = planner.plan(evaluator.evaluate(adoption, events: e), from: instant(from), until: .distantFuture)
        return DueSelection(planned: planned, now: instant(now))
    }

    func visits(_ s: DueSelection) -> [String] {
        s.due.filter { $0.notification.ruleID == "post-placement-visit" }
            .map { "\($0.notification.stage.rawValue)\($0.notification.level)\($0.late ? " late" : "")" }
    }

    @Test func onTimeAtTheMomentAndTheNextInstantAfterIt() {
        let e = events([("p", "placed-for-adoption", "2026-10-23T14:00")])
        // Due 26 Oct 13:00 GMT (clocks went back): the overdue notice at that moment, on time.
        let s = select(e, from: "2026-10-26T12:30", now: "2026-10-26T13:00:30")
        #expect(visits(s).contains("overdue0"))
        #expect(!visits(s).contains { $0.hasSuffix("late") })
        #expect(s.next != nil && s.next! > instant("2026-10-26T13:00:30"))
    }

    @Test func eachDueNoticeKnowsWhenItsDeadlinesNextNoticeIsPlanned() {
        let e = events([("p", "placed-for-adoption", "2026-10-23T14:00")])
        let planned = planner.plan(evaluator.evaluate(adoption, events: e), from: instant("2026-10-26T12:30"), until: .distantFuture)
        let s = DueSelection(planned: planned, now: instant("2026-10-26T13:00:30"))
        let overdue = s.due.first { $0.notification.ruleID == "post-placement-visit" && $0.notification.stage == .overdue }
        // The next notice of the same deadline after now: its first escalation, wherever the plan puts it.
        let next = planned.filter { $0.deadlineKey == overdue?.notification.deadlineKey && $0.at > instant("2026-10-26T13:00:30") }.map(\.at).min()
        #expect(overdue != nil && next != nil)
        #expect(overdue?.nextNoticeAt == next)
        #expect(planned.filter { $0.ruleID == "post-placement-visit" }.allSatisfy { $0.key.hasPrefix($0.deadlineKey + "/") })
    }

    @Test func missedWhileDownIsLateAndInDueOrder() {
        let e = events([("p", "placed-for-adoption", "2026-10-23T14:00")])
        let s = select(e, from: "2026-10-25T00:00", now: "2026-10-27T10:00")
        let v = visits(s)
        #expect(v.contains("due0 late") && v.contains("overdue0 late"))
        #expect(v.allSatisfy { $0.hasSuffix(" late") })
        let times = s.due.map(\.notification.at)
        #expect(times == times.sorted())
    }

    @Test func metOrMootWhileDownIsNotSent() {
        // The visit happened on 26 Oct while the daemon was down: nothing about the visit is sent, not even
        // the reminders whose moments came before it.
        let e = events([("p", "placed-for-adoption", "2026-10-23T14:00"), ("v", "visit", "2026-10-26T12:30")])
        let s = select(e, from: "2026-10-25T00:00", now: "2026-10-27T10:00")
        #expect(visits(s).isEmpty)
        let open = select(Array(e.prefix(1)), from: "2026-10-25T00:00", now: "2026-10-27T10:00")
        #expect(Set(visits(open)).isSuperset(of: ["reminder1 late", "reminder2 late", "due0 late", "overdue0 late"]))
    }

    @Test func aFutureMeetingEventDoesNotSilenceWhatFallsDueBeforeIt() {
        let e = events([("p", "placed-for-adoption", "2026-10-23T14:00"), ("v", "visit", "2026-10-30T10:00")])
        let s = select(e, from: "2026-10-26T12:00", now: "2026-10-26T13:00:10")
        #expect(visits(s).contains("overdue0"))
    }
}
