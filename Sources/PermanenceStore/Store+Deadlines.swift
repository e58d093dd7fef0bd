import GRDB
import PermanenceCore

/// Keeping each case's computed deadlines current.
/// Reads a case, its current assignments and all its events with three prepared statements.
final class CaseReader {
    private let caseRow: FastInsert
    private let assignments: FastInsert
    private let events: FastInsert

    /// With `knownAt`, the case as it stood then: the events that had happened by that moment (and those
    /// recorded by it in advance, such as a booked hearing), the withdrawals made by it, and the assignments
    /// that held at it. Later events do not count, however early they were recorded.
    init(_ db: Database, knownAt: Instant? = nil) throws {
        caseRow = try FastInsert(db, sql: "SELECT initials, plan, calendar, packs, opened_at, closed_at FROM child_case WHERE ref = ?")
        if let t = knownAt?.seconds {
            assignments = try FastInsert(
                db, sql: "SELECT role, worker_id FROM assignment WHERE case_ref = ? AND from_at <= \(t) AND (to_at IS NULL OR to_at > \(t)) ORDER BY from_at")
            events = try FastInsert(
                db, sql: """
                    SELECT e.id, e.kind, e.at, e.date_only, e.note, e.supersedes, CASE WHEN w.at <= \(t) THEN w.at END FROM event e
                    LEFT JOIN withdrawal w ON w.event_id = e.id WHERE e.case_ref = ? AND (e.at <= \(t) OR e.recorded_at <= \(t)) ORDER BY e.at, e.seq
                    """)
        } else {
            assignments = try FastInsert(
                db, sql: "SELECT role, worker_id FROM assignment WHERE case_ref = ? AND to_at IS NULL ORDER BY from_at")
            events = try FastInsert(
                db, sql: """
                    SELECT e.id, e.kind, e.at, e.date_only, e.note, e.supersedes, w.at FROM event e
                    LEFT JOIN withdrawal w ON w.event_id = e.id WHERE e.case_ref = ? ORDER BY e.at, e.seq
                    """)
        }
    }

    /// A case's own row: what it is, and when it was opened and closed.
    struct CaseRow {
        let initials: String?
        let plan: String
        let calendar: String
        let packs: String
        let opened: Int?
        let closed: Int?

        /// When it was opened, and whether it is closed: what an event row is checked against.
        var bounds: (opened: Int?, closed: Bool) { (opened, closed != nil) }
    }

    /// The case's own row, nil for an unknown case.
    func row(_ ref: String) throws -> CaseRow? {
        var found: CaseRow?
        try caseRow.bind(ref).forEachRow { r in
            found = CaseRow(initials: r.text(0), plan: r.text(1) ?? "", calendar: r.text(2) ?? "", packs: r.text(3) ?? "", opened: r.int(4), closed: r.int(5))
        }
        return found
    }

    /// The whole case; `row`: its own row, already read in the same transaction.
    func load(_ ref: String, row known: CaseRow? = nil) throws -> Store.StoredCase? {
        guard let found = try known ?? row(ref) else { return nil }
        var roles: [String: String] = [:]
        try assignments.bind(ref).forEachRow { r in
            if let role = r.text(0), let worker = r.text(1) { roles[role] = worker }
        }
        var list: [CaseEvent] = []
        try events.bind(ref).forEachRow { r in
            list.append(CaseEvent(
                id: r.text(0) ?? "", caseRef: ref, kind: r.text(1) ?? "", at: Instant(seconds: r.int(2) ?? 0),
                dateOnly: (r.int(3) ?? 0) != 0, note: r.text(4), supersedes: r.text(5), withdrawn: r.int(6) != nil))
        }
        let record = ChildCase(
            reference: ref, initials: found.initials, plan: found.plan, calendar: found.calendar,
            packs: found.packs.split(separator: " ").map(String.init), assignments: roles)
        return Store.StoredCase(
            record: record, openedAt: found.opened.map(Instant.init), closedAt: found.closed.map(Instant.init), events: list)
    }
}

extension Store {
    /// A case as stored, with its current assignments and every event (withdrawn and corrected ones too).
    struct StoredCase {
        var record: ChildCase
        var openedAt: Instant?
        var closedAt: Instant?
        var events: [CaseEvent]
    }

    static func loadCase(_ db: Database, _ ref: String, cache: CaseReader? = nil) throws -> StoredCase? {
        let reader = try cache ?? CaseReader(db)
        return try reader.load(ref)
    }

    /// The columns `eventFrom` reads, in its order.
    static let eventColumns = "e.id, e.case_ref, e.kind, e.at, e.date_only, e.note, e.supersedes, w.at"

    static func eventFrom(_ e: Row) -> CaseEvent {
        CaseEvent(
            id: e[0], caseRef: e[1], kind: e[2], at: Instant(seconds: e[3]), dateOnly: (e[4] as Int) != 0, note: e[5] as String?,
            supersedes: e[6] as String?, withdrawn: (e[7] as Int?) != nil)
    }

    /// Replaces a case's deadlines with a fresh evaluation (none once the case is closed), and bumps the
    /// case's revision so a running daemon sees that it changed.
    /// Returns the case's evaluation (nil for a closed or unknown case).
    @discardableResult
    static func recompute(_ db: Database, _ ref: String, evaluator: Evaluator, cache: ImportCache? = nil) throws -> CaseEvaluation? {
        try (cache?.clearDeadlines ?? FastInsert(db, sql: clearDeadlinesSQL)).bind(ref).run()
        if let cache {
            try cache.bumpRevision.bind(cache.revision).bind(ref).run()
        } else {
            try FastInsert(db, sql: bumpRevisionSQL).bind(ref).run()
        }
        guard let stored = try cache?.take(ref) ?? loadCase(db, ref, cache: cache?.reader), stored.closedAt == nil else { return nil }
        let evaluation = evaluator.evaluate(stored.record, events: stored.events)
        let count = try insertDeadlines(cache?.deadlines ?? FastInsert(db, sql: insertDeadlineSQL), evaluation, evaluator.ruleSet)
        cache?.indexes.wrote(count)
        return evaluation
    }

    static let clearDeadlinesSQL = "DELETE FROM deadline WHERE case_ref = ?"

    /// Revisions only grow (writers are serialised); the index makes MAX a single lookup.
    static let bumpRevisionSQL = "UPDATE child_case SET revision = (SELECT IFNULL(MAX(revision), 0) + 1 FROM child_case) WHERE ref = ?"

    /// An import gives every case it recomputes the same revision, taken once for its transaction.
    static let setRevisionSQL = "UPDATE child_case SET revision = ? WHERE ref = ?"

    static let insertDeadlineSQL = """
        INSERT INTO deadline (case_ref, rule_id, anchor_event, cycle, due_at, exact, met_event,
            met_at, moot_event, moot_at, owner_worker, reason, closes_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Whether a deadline is kept in the store: not one merely waiting for its anchor, nor a "not before"
    /// step (never open: nothing is due or overdue about it).
    static func isStored(_ d: Deadline) -> Bool {
        !d.awaitsAnchor && d.computed?.kind != .notBefore
    }

    /// Stores computed deadlines (the owner's role and the severity come from the rule, not the row) and those that cannot be computed for a reason someone must act on
    /// (contradictory anchors); deadlines merely waiting for their anchor event are not stored.
    /// Returns how many were stored.
    @discardableResult
    static func insertDeadlines(_ insert: FastInsert, _ evaluation: CaseEvaluation, _ ruleSet: RuleSet) throws -> Int {
        let c = evaluation.caseRecord
        var count = 0
        for d in evaluation.deadlines where isStored(d) {
            // The owner's role only: copying the whole rule for each deadline costs more than the insert.
            let owner = ruleSet.rules[d.ruleIndex].owner
            insert.bind(c.reference).bind(d.ruleID)
            switch d.state {
            case .computed(let x):
                // It closes when met or made moot, whichever comes first (no array per row: a million rows).
                let closes: Int? = switch (x.met?.at.seconds, x.moot?.at.seconds) {
                case let (met?, moot?): min(met, moot)
                case let (met, moot): met ?? moot
                }
                insert.bind(evaluation.id(x.anchor)).bind(d.cycle).bind(x.dueInstant.seconds).bind(x.isExact)
                    .bind(x.met.map(evaluation.id)).bind(x.met?.at.seconds).bind(x.moot.map(evaluation.id)).bind(x.moot?.at.seconds)
                    .bind(c.assignments[owner]).bind(nil as String?).bind(closes)
            case .cannotCompute(let reason):
                insert.bind("-").bind(d.cycle).bind(nil as Int?).bind(false)
                    .bind(nil as String?).bind(nil as Int?).bind(nil as String?).bind(nil as Int?)
                    .bind(c.assignments[owner]).bind(evaluation.reason(reason)).bind(nil as Int?)
            }
            try insert.run()
            count += 1
        }
        return count
    }
}
