import PermanenceCore
import SMTPCore

extension MailComposer {
    /// Renders every template against sample data (an urgent notice, an escalation to a manager, a digest
    /// with new and outstanding items, a team report) and says what a worker would be missing: an empty subject or body,
    /// or one that leaves out the case, its standing or its due time. Empty when all is well.
    public func checkTemplates(now: Instant) -> [String] {
        let owner = MailItem.Person(id: "sample-sw", name: "Sam Worker")
        let manager = MailItem.Person(id: "sample-tm", name: "Tess Manager")
        let due = now.adding(seconds: 4 * 3600)
        func item(_ ref: String, _ stage: NotificationStage, dueAt: Instant, level: Int = 0) -> MailItem {
            MailItem(key: "\(ref)/sample-rule/e1#1/\(stage.rawValue)\(level)/\(dueAt.seconds)", caseRef: ref, initials: "A.B.",
                     ruleTitle: "Visit the child", action: "Visit and record it", source: "Sample source, reg 1", stage: stage,
                     severity: .urgent, dueAt: dueAt, isExact: true, level: level, owner: owner, escalatedTo: [manager])
        }
        var problems: [String] = []
        func check(_ name: String, _ m: MailMessage, mustShow: [String]) {
            if m.subject.isEmpty { problems.append("\(name)-subject.mustache: renders an empty subject") }
            for (part, body) in [("text", m.text), ("html", m.html ?? "")] {
                if body.isEmpty { problems.append("\(name)-\(part).mustache: renders nothing"); continue }
                for s in mustShow where !body.contains(s) {
                    problems.append("\(name)-\(part).mustache: the sample's '\(s)' is not shown (a worker needs the case, its standing and its due time)")
                }
            }
        }
        let sw = MailRecipient(workerID: owner.id, name: owner.name, address: "sw@example.org")
        let tm = MailRecipient(workerID: manager.id, name: manager.name, address: "tm@example.org")
        let urgent = item("SAMPLE-1", .due, dueAt: due)
        check("urgent", compose(to: sw, about: [urgent], now: now, id: "check.1"), mustShow: ["SAMPLE-1", standing(urgent, now: now).when])
        let late = item("SAMPLE-2", .escalation, dueAt: now.adding(seconds: -7200), level: 1)
        check("escalation", compose(to: tm, about: [late], now: now, id: "check.2"), mustShow: ["SAMPLE-2", "Sam Worker", standing(late, now: now).when])
        let digest = composeDigest(to: sw, new: [urgent], outstanding: [item("SAMPLE-3", .overdue, dueAt: now.adding(seconds: -86_400 * 3))],
                                   now: now, id: "check.3")
        check("digest", digest, mustShow: ["SAMPLE-1", "SAMPLE-3"])
        let given = composeUndeliverable(to: "admin@example.org", address: "sw@example.org", worker: "sample-sw",
                                         messages: [("SAMPLE-1 (A.B.): Visit the child overdue", now)], reason: "550 5.1.1 no such user",
                                         now: now, id: "check.4")
        if given.subject.isEmpty { problems.append("undeliverable-subject.mustache: renders an empty subject") }
        for s in ["sw@example.org", "550 5.1.1 no such user"] where !given.text.contains(s) {
            problems.append("undeliverable-text.mustache: the sample's '\(s)' is not shown (the admin needs the address and the reason)")
        }
        // The weekly team report, when its templates are there: a worker behind, and a child waiting.
        var facts = TeamFacts(since: now.adding(seconds: -7 * 86_400), now: now)
        facts.open = [.init(caseRef: "SAMPLE-5", ruleID: "sample-rule", owner: owner.id, dueAt: now.adding(seconds: -10 * 86_400), exact: true)]
        facts.cases = [.init(ref: "SAMPLE-5", initials: "C.D.", plan: "adoption", worker: "sample-other", openedAt: nil)]
        var input = TeamReport.Inputs(scope: .team, workers: [(owner.id, owner.name)], facts: facts, titles: ["sample-rule": "Visit the child"],
                                      plans: ["adoption": "Adoption"], names: [owner.id: owner.name, "sample-other": "Other Worker"])
        var waiting = AdoptionScorecard.Figures()
        waiting.enteredCare = zone.localDate(at: now).adding(days: -500)
        input.scorecard = ["SAMPLE-5": waiting]
        if let report = composeTeamReport(to: tm, TeamReport.build(input, zone: zone), id: "check.5") {
            check("team-report", report, mustShow: ["Sam Worker", "SAMPLE-5", "500"])
        }
        return problems
    }
}
