import Testing

@testable import PermanenceCore

@Suite struct BacklogTests {
    func item(_ n: Int, stage: NotificationStage, owner: String?, severity: Severity = .routine, late: Bool = true, due: String = "2026-03-02T09:00")
        -> OutboxItem
    {
        OutboxItem(
            key: "C-\(n)/visit/e#1/\(stage.rawValue)", caseRef: "C-\(n)", ruleID: "visit", stage: stage, level: stage == .escalation ? 1 : 0,
            dueAt: instant(due), isExact: true, severity: severity, plannedAt: instant(due), owner: owner,
            recipients: [Recipient(role: "social-worker", worker: owner)], late: late)
    }

    @Test func aHundredLateNoticesAreAnnouncedOneByOneAndOneMoreMakesABacklog() {
        let hundred = (0..<100).map { item($0, stage: .overdue, owner: "sw") } + [item(100, stage: .due, owner: "sw", late: false)]
        #expect(Backlog.mark(hundred).allSatisfy { !$0.backlog })
        #expect(Backlog.summaries(Backlog.mark(hundred), zone: .europeLondon).isEmpty)
        let more = hundred + [item(101, stage: .overdue, owner: "sw")]
        let marked = Backlog.mark(more)
        // Only the late ones: a notice at its moment keeps its own priority.
        #expect(marked.filter(\.backlog).count == 101)
        #expect(marked.first { $0.caseRef == "C-100" }?.backlog == false)
    }

    @Test func aBacklogNoticeGoesToTheJournalAtInfoMarkedAsSuch() {
        var i = item(1, stage: .escalation, owner: "sw", severity: .urgent)
        #expect(JournalEntry.notification(i, title: "Visit", initials: nil, zone: .europeLondon).priority == .error)
        i.backlog = true
        let e = JournalEntry.notification(i, title: "Visit", initials: nil, zone: .europeLondon)
        #expect(e.priority == .info)
        #expect(e.field("BACKLOG") == "1" && e.field("LATE") == "1" && e.field("NOTIFICATION_KEY") == i.key)
    }

    @Test func oneSummaryPerOwnerAtTheLoudestOfTheirPrioritiesNobodyLast() {
        var items: [OutboxItem] = []
        for n in 0..<60 { items.append(item(n, stage: .overdue, owner: "sw-b")) }  // warning
        for n in 60..<90 { items.append(item(n, stage: .due, owner: "sw-a", due: "2026-01-05T09:00")) }  // notice
        items.append(item(90, stage: .escalation, owner: "sw-a", due: "2025-12-30T17:00"))  // error
        for n in 91..<102 { items.append(item(n, stage: .overdue, owner: nil)) }
        items.append(item(200, stage: .reminder, owner: "sw-a", late: false))
        let entries = Backlog.summaries(Backlog.mark(items), zone: .europeLondon)
        #expect(entries.map { $0.field("OWNER") } == ["sw-a", "sw-b", "", nil])
        let a = entries[0]
        #expect(a.priority == .error)
        #expect(a.field("MESSAGE_ID") == MessageID.backlog)
        #expect(a.field("COUNT") == "31" && a.field("ESCALATIONS") == "1" && a.field("DUE") == "30" && a.field("OVERDUE") == "0")
        #expect(a.field("EARLIEST_DUE_AT") == "2025-12-30T17:00:00+00:00")
        #expect(a.message.contains("31 notice(s) for deadlines owned by sw-a"))
        #expect(a.message.contains("1 escalation, 30 due"))
        #expect(a.message.contains("the earliest was due 2025-12-30"))
        #expect(a.message.contains("permanenced agenda --overdue --worker sw-a"))
        #expect(entries[1].priority == .warning && entries[1].field("COUNT") == "60")
        #expect(entries[2].message.contains("owned by nobody") && entries[2].field("COUNT") == "11")
        let total = entries[3]
        #expect(total.field("COUNT") == "102" && total.field("OWNERS") == "3" && total.priority == .notice)
        // Every backlog notice is counted once, in its owner's summary.
        #expect(entries.dropLast().compactMap { Int($0.field("COUNT") ?? "") }.reduce(0, +) == items.filter(\.late).count)
    }
}
