import GRDB
import PermanenceCore

/// Keeping each case's computed deadlines current.
extension Store {
    /// A case as stored, with its current assignments and every event (withdrawn and corrected ones too).
    struct StoredCase {
        var record: ChildCase
        var openedAt: Instant?
        var closedAt: Instant?
        var events: [CaseEvent]
    }

    static func loadCase(_ db: Database, _ ref: String) throws -> StoredCase? {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT initials, plan, calendar, packs, opened_at, closed_at FROM child_case WHERE ref = ?"), arguments: [ref]) else {
            return nil
        }
        var assignments: [String: String] = [:]
        for a in try Row.fetchAll(try db.cachedStatement(sql: "SELECT role, worker_id FROM assignment WHERE case_ref = ? AND to_at IS NULL ORDER BY from_at"), arguments: [ref])
        {
            assignments[a[0]] = a[1] as String
        }
        let packs = (row[3] as String).split(separator: " ").map(String.init)
        let record = ChildCase(
            reference: ref, initials: row[0] as String?, plan: row[1], calendar: row[2], packs: packs, assignments: assignments)
        var events: [CaseEvent] = []
        let cursor = try Row.fetchCursor(
            try db.cachedStatement(sql: "SELECT \(eventColumns) FROM event WHERE case_ref = ? ORDER BY at, seq"), arguments: [ref])
        while let e = try cursor.next() { events.append(eventFrom(e)) }
        return StoredCase(
            record: record, openedAt: (row[4] as Int?).map(Instant.init), closedAt: (row[5] as Int?).map(Instant.init),
            events: events)
    }

    /// The columns `eventFrom` reads, in its order.
    static let eventColumns = "id, case_ref, kind, at, date_only, note, supersedes, withdrawn_at"

    static func eventFrom(_ e: Row) -> CaseEvent {
        CaseEvent(
            id: e[0], caseRef: e[1], kind: e[2], at: Instant(seconds: e[3]), dateOnly: (e[4] as Int) != 0, note: e[5] as String?,
            supersedes: e[6] as String?, withdrawn: (e[7] as Int?) != nil)
    }

    /// Replaces a case's deadlines with a fresh evaluation (none once the case is closed).
    static func recompute(_ db: Database, _ ref: String, evaluator: Evaluator) throws {
        try db.cachedStatement(sql: "DELETE FROM deadline WHERE case_ref = ?").execute(arguments: [ref])
        guard let stored = try loadCase(db, ref), stored.closedAt == nil else { return }
        try insertDeadlines(db, evaluator.evaluate(stored.record, events: stored.events), evaluator.ruleSet)
    }

    /// Stores computed deadlines and those that cannot be computed for a reason someone must act on
    /// (contradictory anchors); deadlines merely waiting for their anchor event are not stored.
    static func insertDeadlines(_ db: Database, _ evaluation: CaseEvaluation, _ ruleSet: RuleSet) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO deadline (case_ref, rule_id, anchor_event, cycle, due_at, due_date, exact, met_event,
                met_at, moot_event, moot_at, owner_role, owner_worker, severity, reason, closes_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let c = evaluation.caseRecord
        for d in evaluation.deadlines where !d.awaitsAnchor {
            let rule = ruleSet.rules[d.ruleIndex]
            let owner = c.assignments[rule.owner]
            switch d.state {
            case .computed(let x):
                try statement.execute(arguments: [
                    c.reference, d.ruleID, x.anchor.id, d.cycle, x.dueInstant.seconds, x.dueDate.description, x.isExact,
                    x.met?.id, x.met?.at.seconds, x.moot?.id, x.moot?.at.seconds, rule.owner, owner, rule.severity.rawValue, nil,
                    [x.met?.at.seconds, x.moot?.at.seconds].compactMap { $0 }.min(),
                ])
            case .cannotCompute(let reason):
                try statement.execute(arguments: [
                    c.reference, d.ruleID, "-", d.cycle, nil, nil, false, nil, nil, nil, nil, rule.owner, owner,
                    rule.severity.rawValue, reason, nil,
                ])
            }
        }
    }

    /// Recomputes every open case (after the rules change).
    public func recomputeAll(actor: String, now: Instant) throws -> Int {
        let evaluator = Evaluator(ruleSet: ruleSet)
        return try pool.write { db in
            let refs = try String.fetchAll(db, sql: "SELECT ref FROM child_case WHERE closed_at IS NULL ORDER BY ref")
            for ref in refs { try Store.recompute(db, ref, evaluator: evaluator) }
            try Store.audit(db, at: now, actor: actor, action: "recompute", subject: "*", detail: "\(refs.count) open cases")
            return refs.count
        }
    }
}
