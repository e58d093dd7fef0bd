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
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM child_case WHERE ref = ?", arguments: [ref]) else {
            return nil
        }
        var assignments: [String: String] = [:]
        for a in try Row.fetchAll(
            db, sql: "SELECT role, worker_id FROM assignment WHERE case_ref = ? AND to_at IS NULL ORDER BY from_at",
            arguments: [ref])
        {
            assignments[a["role"]] = a["worker_id"]
        }
        let packs = (row["packs"] as String).split(separator: " ").map(String.init)
        let record = ChildCase(
            reference: ref, initials: row["initials"], plan: row["plan"], calendar: row["calendar"], packs: packs,
            assignments: assignments)
        var events: [CaseEvent] = []
        for e in try Row.fetchAll(db, sql: "SELECT * FROM event WHERE case_ref = ? ORDER BY at, seq", arguments: [ref]) {
            events.append(eventFrom(e))
        }
        return StoredCase(
            record: record, openedAt: (row["opened_at"] as Int?).map(Instant.init), closedAt: (row["closed_at"] as Int?).map(Instant.init),
            events: events)
    }

    static func eventFrom(_ e: Row) -> CaseEvent {
        CaseEvent(
            id: e["id"], caseRef: e["case_ref"], kind: e["kind"], at: Instant(seconds: e["at"]),
            dateOnly: (e["date_only"] as Int) != 0, note: e["note"], supersedes: e["supersedes"],
            withdrawn: (e["withdrawn_at"] as Int?) != nil)
    }

    /// Replaces a case's deadlines with a fresh evaluation (none once the case is closed).
    static func recompute(_ db: Database, _ ref: String, evaluator: Evaluator) throws {
        try db.execute(sql: "DELETE FROM deadline WHERE case_ref = ?", arguments: [ref])
        guard let stored = try loadCase(db, ref), stored.closedAt == nil else { return }
        try insertDeadlines(db, evaluator.evaluate(stored.record, events: stored.events), evaluator.ruleSet)
    }

    static func insertDeadlines(_ db: Database, _ evaluation: CaseEvaluation, _ ruleSet: RuleSet) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO deadline (case_ref, rule_id, anchor_event, cycle, due_at, due_date, exact, met_event,
                met_at, moot_event, moot_at, owner_role, owner_worker, severity, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let c = evaluation.caseRecord
        for d in evaluation.deadlines {
            let rule = ruleSet.rules[d.ruleIndex]
            let owner = c.assignments[rule.owner]
            switch d.state {
            case .computed(let x):
                try statement.execute(arguments: [
                    c.reference, d.ruleID, x.anchor.id, d.cycle, x.dueInstant.seconds, x.dueDate.description, x.isExact,
                    x.met?.id, x.met?.at.seconds, x.moot?.id, x.moot?.at.seconds, rule.owner, owner, rule.severity.rawValue, nil,
                ])
            case .cannotCompute(let reason):
                try statement.execute(arguments: [
                    c.reference, d.ruleID, "-", d.cycle, nil, nil, false, nil, nil, nil, nil, rule.owner, owner,
                    rule.severity.rawValue, reason,
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
