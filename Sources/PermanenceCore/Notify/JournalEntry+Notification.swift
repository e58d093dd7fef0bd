extension JournalEntry {
    /// The priority of a notification: later stages are louder, and urgent rules one step louder again.
    /// `critical` and above are left for failures to deliver at all.
    public static func priority(stage: NotificationStage, severity: Severity) -> JournalPriority {
        let base: JournalPriority
        switch stage {
        case .reminder: base = .info
        case .due: base = .notice
        case .overdue: base = .warning
        case .escalation: base = .error
        }
        let raised = severity == .urgent ? base.rawValue - 1 : base.rawValue
        return JournalPriority(rawValue: max(JournalPriority.error.rawValue, raised))!
    }

    /// The entry announcing a notification. Cases are named by reference only; `initials` is added only
    /// when the admin turned `show-initials` on. No note or event text is ever included.
    public static func notification(
        _ item: OutboxItem, title: String, initials: String?, zone: ZoneRules
    ) -> JournalEntry {
        let due = item.isExact ? zone.humanDateTime(item.dueAt) : zone.dueDay(of: item.dueAt, exact: false).description
        let caseName = initials.map { "\(item.caseRef) (\($0))" } ?? item.caseRef
        let owner = item.owner ?? "nobody assigned"
        let sentence: String
        switch item.stage {
        case .reminder: sentence = "Reminder: \(title) for case \(caseName) is due \(due); owner \(owner)."
        case .due: sentence = "Due today: \(title) for case \(caseName) is due \(due); owner \(owner)."
        case .overdue: sentence = "Overdue: \(title) for case \(caseName) was due \(due); owner \(owner)."
        case .escalation:
            sentence = "Escalation \(item.level): \(title) for case \(caseName) was due \(due) and is still not done; owner \(owner)."
        }
        var fields: [(String, String)] = [
            ("MESSAGE_ID", MessageID.stage(item.stage)),
            ("CASE_REF", item.caseRef),
            ("RULE_ID", item.ruleID),
            ("STAGE", item.stage.rawValue),
            ("LEVEL", String(item.level)),
            ("SEVERITY", item.severity.rawValue),
            ("DUE_AT", zone.iso8601(item.dueAt)),
            ("OWNER", item.owner ?? ""),
            ("RECIPIENTS", OutboxItem.encode(item.recipients)),
            ("PLANNED_AT", zone.iso8601(item.plannedAt)),
            ("NOTIFICATION_KEY", item.key),
        ]
        if let initials { fields.append(("CASE_INITIALS", initials)) }
        if item.late {
            fields.append(("LATE", "1"))
            if item.backlog { fields.append(("BACKLOG", "1")) }
            return JournalEntry(
                priority: item.backlog ? .info : priority(stage: item.stage, severity: item.severity),
                message: sentence + " (Late: planned for \(zone.humanDateTime(item.plannedAt)), when permanenced was not running or did not yet know of it.)",
                fields: fields)
        }
        return JournalEntry(priority: priority(stage: item.stage, severity: item.severity), message: sentence, fields: fields)
    }
}
