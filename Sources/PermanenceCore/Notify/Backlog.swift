/// A catch-up too large to announce entry by entry: a first start on an authority's whole history, or a
/// restart after days down, can find hundreds of thousands of notices already late. Thousands of journal
/// entries at `warning` and `error` help nobody: each owner (the worker who owns the deadlines, or nobody)
/// gets one summary at the loudest priority among their notices, saying how many, of which stages, and how to
/// list them; every notice is still queued, delivered to the journal (at `info`, with `BACKLOG=1`), and
/// emailed in the owner's digest as any late notice is. Nothing is dropped.
public enum Backlog {
    /// More late notices than this in one catch-up are announced by summaries.
    public static let summaryAbove = 100

    /// The items, each late one marked as part of a backlog when more than `above` of them are late.
    public static func mark(_ items: [OutboxItem], above: Int = summaryAbove) -> [OutboxItem] {
        guard items.lazy.filter(\.late).count > above else { return items }
        return items.map { item in
            var marked = item
            marked.backlog = item.late
            return marked
        }
    }

    /// One journal entry per owner of backlog items (the owners in order, nobody last), and one line for
    /// the whole.
    public static func summaries(_ items: [OutboxItem], zone: ZoneRules) -> [JournalEntry] {
        let backlog = items.filter(\.backlog)
        guard !backlog.isEmpty else { return [] }
        let owners = Dictionary(grouping: backlog) { $0.owner ?? "" }
        var out: [JournalEntry] = []
        for owner in owners.keys.sorted(by: { ($0.isEmpty ? 1 : 0, $0) < ($1.isEmpty ? 1 : 0, $1) }) {
            let list = owners[owner]!
            var stages: [NotificationStage: Int] = [:]
            for i in list { stages[i.stage, default: 0] += 1 }
            let loudest = list.map { JournalEntry.priority(stage: $0.stage, severity: $0.severity).rawValue }.min()!
            let earliest = list.min { $0.dueAt < $1.dueAt }!
            let parts: [(NotificationStage, String)] = [(.escalation, "escalation"), (.overdue, "overdue"), (.due, "due"), (.reminder, "reminder")]
            let counts = parts.compactMap { stage, name in
                stages[stage].map { "\($0) \(name)\($0 == 1 || stage == .overdue || stage == .due ? "" : "s")" }
            }
            let whose = owner.isEmpty ? "owned by nobody (no worker holds the owner role)" : "owned by \(owner)"
            let list_ = owner.isEmpty ? "permanenced agenda --overdue" : "permanenced agenda --overdue --worker \(owner)"
            let filter = owner.isEmpty ? "BACKLOG=1 OWNER=" : "BACKLOG=1 OWNER=\(owner)"
            out.append(JournalEntry(
                priority: JournalPriority(rawValue: loudest)!,
                message: "Backlog: \(list.count) notice(s) for deadlines \(whose) fell due before permanenced could announce them "
                    + "(\(counts.joined(separator: ", ")); the earliest was due \(zone.dueDay(of: earliest.dueAt, exact: earliest.isExact))). "
                    + "Each is in the journal at info priority (journalctl -t permanenced \(filter)); \(list_) lists those still open.",
                fields: [
                    ("MESSAGE_ID", MessageID.backlog), ("OWNER", owner), ("COUNT", String(list.count)),
                    ("ESCALATIONS", String(stages[.escalation] ?? 0)), ("OVERDUE", String(stages[.overdue] ?? 0)),
                    ("DUE", String(stages[.due] ?? 0)), ("REMINDERS", String(stages[.reminder] ?? 0)),
                    ("EARLIEST_DUE_AT", zone.iso8601(earliest.dueAt)),
                ]))
        }
        out.append(JournalEntry(
            priority: .notice,
            message: "Backlog: \(backlog.count) late notice(s) for \(owners.count) owner(s), announced by one summary per owner; "
                + "the notices themselves are in the journal at info priority (journalctl -t permanenced BACKLOG=1)",
            fields: [("MESSAGE_ID", MessageID.backlog), ("COUNT", String(backlog.count)), ("OWNERS", String(owners.count))]))
        return out
    }
}
