import Testing

@testable import PermanenceCore

@Suite struct JournalEntryTests {
    func item(stage: NotificationStage, severity: Severity = .routine, late: Bool = false, exact: Bool = true) -> OutboxItem {
        OutboxItem(
            key: "T-1/post-placement-visit/p#1/\(stage.rawValue)0/1", caseRef: "T-1", ruleID: "post-placement-visit",
            stage: stage, level: stage == .escalation ? 2 : 0, dueAt: instant("2026-10-26T13:00"), isExact: exact,
            severity: severity, plannedAt: instant("2026-10-26T13:00"), owner: "s.patel",
            recipients: [Recipient(role: "permanence-sw", worker: "s.patel"), Recipient(role: "team-manager", worker: nil)],
            late: late)
    }

    @Test func laterStagesAndUrgentRulesAreLouderButNeverCritical() {
        let order = NotificationStage.allCases.map { JournalEntry.priority(stage: $0, severity: .routine) }
        #expect(order == [.info, .notice, .warning, .error])
        #expect(JournalEntry.priority(stage: .overdue, severity: .urgent) == .error)
        #expect(JournalEntry.priority(stage: .escalation, severity: .urgent) == .error)
        for s in NotificationStage.allCases {
            #expect(JournalEntry.priority(stage: s, severity: .urgent) > .critical)
        }
    }

    @Test func fieldsAnAdminCanFilterOn() {
        let e = JournalEntry.notification(item(stage: .overdue), title: "Visit within 72 hours", initials: nil, zone: .europeLondon)
        #expect(e.field("MESSAGE_ID") == MessageID.overdue)
        #expect(e.field("CASE_REF") == "T-1")
        #expect(e.field("RULE_ID") == "post-placement-visit")
        #expect(e.field("STAGE") == "overdue")
        #expect(e.field("DUE_AT") == "2026-10-26T13:00:00+00:00")
        #expect(e.field("OWNER") == "s.patel")
        #expect(e.field("RECIPIENTS") == "permanence-sw=s.patel,team-manager=")
        #expect(e.field("LATE") == nil)
        #expect(e.message == "Overdue: Visit within 72 hours for case T-1 was due 2026-10-26 13:00 GMT; owner s.patel.")
        #expect(e.allFields.prefix(3) == ["MESSAGE=\(e.message)", "PRIORITY=4", "SYSLOG_IDENTIFIER=permanenced"])
    }

    @Test func initialsOnlyWhenAskedAndLateSaysSo() {
        let plain = JournalEntry.notification(item(stage: .due), title: "Visit", initials: nil, zone: .europeLondon)
        #expect(plain.field("CASE_INITIALS") == nil && !plain.message.contains("("))
        let named = JournalEntry.notification(item(stage: .due, late: true), title: "Visit", initials: "A.B.", zone: .europeLondon)
        #expect(named.field("CASE_INITIALS") == "A.B.")
        #expect(named.message.contains("T-1 (A.B.)"))
        #expect(named.field("LATE") == "1" && named.message.contains("Late: planned for 2026-10-26 13:00 GMT"))
    }

    @Test func aWholeDayDeadlineShowsItsDayNotTheMidnightAfter() {
        var i = item(stage: .reminder, exact: false)
        i = OutboxItem(
            key: i.key, caseRef: i.caseRef, ruleID: i.ruleID, stage: i.stage, level: 1, dueAt: instant("2026-11-21T00:00"),
            isExact: false, severity: i.severity, plannedAt: i.plannedAt, owner: nil, recipients: [], late: false)
        let e = JournalEntry.notification(i, title: "Review", initials: nil, zone: .europeLondon)
        #expect(e.message == "Reminder: Review for case T-1 is due 2026-11-20; owner nobody assigned.")
    }

    @Test func aNewlineInAValueNeverStartsAnotherField() {
        let e = JournalEntry(priority: .info, message: "one\nPRIORITY=0", fields: [("NOTE", "a\r\nMESSAGE_ID=x")])
        #expect(e.allFields == ["MESSAGE=one PRIORITY=0", "PRIORITY=6", "SYSLOG_IDENTIFIER=permanenced", "NOTE=a  MESSAGE_ID=x"])
    }

    @Test func recipientsAsTheJournalShowsThem() {
        let r = [Recipient(role: "iro", worker: "k.l"), Recipient(role: "team-manager", worker: nil)]
        #expect(OutboxItem.encode(r) == "iro=k.l,team-manager=")
    }

    @Test func statusLineForTheServiceManager() {
        let s = DaemonStatus(openCases: 412, overdue: 9, next: instant("2026-11-24T08:30"))
        #expect(s.line(zone: .europeLondon) == "412 open cases, 9 overdue, next reminder 2026-11-24 08:30")
        #expect(DaemonStatus(openCases: 1, overdue: 0, next: nil, pending: 2).line(zone: .europeLondon)
            == "1 open case, 0 overdue, 2 to deliver, nothing scheduled")
    }

    @Test func everyMessageIDIsDistinctAndInTheCatalog() throws {
        let ids = MessageID.all.map(\.1)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
        let catalog = try String(contentsOf: repositoryRoot.appendingPathComponent("systemd/permanenced.catalog"), encoding: .utf8)
        let headers = catalog.split(separator: "\n").filter { $0.hasPrefix("-- ") }.map { String($0.dropFirst(3)) }
        #expect(headers.sorted() == ids.sorted())
        let entries = catalog.components(separatedBy: "\n-- ").dropFirst()
        #expect(entries.allSatisfy { $0.contains("\nSubject: ") && $0.contains("\nDefined-By: permanenced") })
    }
}
