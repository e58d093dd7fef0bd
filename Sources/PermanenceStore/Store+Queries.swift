import GRDB
import PermanenceCore

/// Answers for people: agendas, status counts, and a case's full record for `explain`.
extension Store {
    /// Whose deadlines an agenda shows.
    public enum AgendaScope: Sendable, Equatable {
        case everyone
        /// Deadlines owned by one worker.
        case worker(String)
        /// Deadlines owned by a manager's direct reports (and the manager).
        case team(manager: String)
        case caseRef(String)
    }

    /// One line of an agenda.
    public struct AgendaItem: Sendable, Equatable {
        public let caseRef: String
        public let initials: String?
        public let ruleID: String
        public let cycle: Int
        public let dueAt: Instant
        public let dueDate: LocalDate
        public let isExact: Bool
        public let status: DeadlineStatus
        public let ownerRole: String
        public let ownerWorker: String?
        public let severity: String
    }

    /// Open deadlines due by `now + within` (or only overdue ones), in due order. Closed cases have no
    /// deadlines (closing a case removes them), so no join is needed.
    public func agenda(_ scope: AgendaScope, within seconds: Int, overdueOnly: Bool, now: Instant, limit: Int? = nil) throws
        -> [AgendaItem]
    {
        var sql = """
            SELECT d.case_ref, NULL, d.rule_id, d.cycle, d.due_at, d.due_date, d.exact, d.owner_role, d.owner_worker,
                   d.severity
            FROM deadline d
            WHERE d.due_at IS NOT NULL AND d.due_at <= :horizon
              AND (d.met_at IS NULL OR d.met_at > :now) AND (d.moot_at IS NULL OR d.moot_at > :now)
            """
        var args: [String: (any DatabaseValueConvertible)?] = [
            "now": now.seconds, "horizon": overdueOnly ? now.seconds - 1 : now.seconds + seconds,
        ]
        switch scope {
        case .everyone: break
        case .worker(let w):
            sql += " AND d.owner_worker = :who"
            args["who"] = w
        case .team(let m):
            sql += " AND d.owner_worker IN (SELECT id FROM worker WHERE manager_id = :who UNION SELECT :who)"
            args["who"] = m
        case .caseRef(let r):
            sql += " AND d.case_ref = :who"
            args["who"] = r
        }
        sql += " ORDER BY d.due_at, d.case_ref, d.rule_id"
        if let limit { sql += " LIMIT \(limit)" }
        let today = ruleSet.zone.localDate(at: now)
        return try pool.read { db in
            var out: [AgendaItem] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: StatementArguments(args))
            while let r = try rows.next() {
                // Columns by position: this loop runs once per item of a whole authority's agenda.
                let due = Instant(seconds: r[4])
                let dueDate = parseDate(r[5]) ?? today
                let status: DeadlineStatus = due <= now ? .overdue : (today >= dueDate ? .due : .upcoming)
                out.append(AgendaItem(
                    caseRef: r[0], initials: r[1] as String?, ruleID: r[2], cycle: r[3], dueAt: due,
                    dueDate: dueDate, isExact: r[6], status: status, ownerRole: r[7],
                    ownerWorker: r[8] as String?, severity: r[9]))
            }
            return out
        }
    }

    /// Counts for `permanenced status`.
    public struct Summary: Sendable {
        public let openCases: Int
        public let closedCases: Int
        public let workers: Int
        public let events: Int
        public let dueThisWeek: Int
        public let overdue: Int
        /// Deadlines that cannot be computed because their anchors contradict each other.
        public let cannotCompute: Int
        public let auditEntries: Int
        public let notificationsPending: Int
    }

    public func summary(now: Instant) throws -> Summary {
        try pool.read { db in
            func count(_ sql: String, _ args: StatementArguments = []) throws -> Int { try Int.fetchOne(db, sql: sql, arguments: args) ?? 0 }
            let open = "(d.met_at IS NULL OR d.met_at > :now) AND (d.moot_at IS NULL OR d.moot_at > :now) AND c.closed_at IS NULL"
            let base = "SELECT COUNT(*) FROM deadline d JOIN child_case c ON c.ref = d.case_ref WHERE "
            return Summary(
                openCases: try count("SELECT COUNT(*) FROM child_case WHERE closed_at IS NULL"),
                closedCases: try count("SELECT COUNT(*) FROM child_case WHERE closed_at IS NOT NULL"),
                workers: try count("SELECT COUNT(*) FROM worker"),
                events: try count("SELECT COUNT(*) FROM event"),
                dueThisWeek: try count(base + open + " AND d.due_at > :now AND d.due_at <= :week",
                    ["now": now.seconds, "week": now.seconds + 7 * 86_400]),
                overdue: try count(base + open + " AND d.due_at <= :now", ["now": now.seconds]),
                cannotCompute: try count("SELECT COUNT(*) FROM deadline WHERE due_at IS NULL"),
                auditEntries: try count("SELECT COUNT(*) FROM audit"),
                notificationsPending: try count("SELECT COUNT(*) FROM notification WHERE state = 'pending'"))
        }
    }

    /// A case with its events and current assignments, as the engine takes them.
    public func caseWithEvents(_ ref: String) throws -> (ChildCase, [CaseEvent])? {
        try pool.read { db in try Store.loadCase(db, ref).map { ($0.record, $0.events) } }
    }

    /// One assignment in a case's history.
    public struct AssignmentRecord: Sendable, Equatable {
        public let role: String
        public let worker: String
        public let from: Instant
        public let to: Instant?
    }

    public func assignmentHistory(_ ref: String) throws -> [AssignmentRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM assignment WHERE case_ref = ? ORDER BY role, from_at", arguments: [ref]).map {
                AssignmentRecord(role: $0["role"], worker: $0["worker_id"], from: Instant(seconds: $0["from_at"]),
                    to: ($0["to_at"] as Int?).map(Instant.init))
            }
        }
    }

    /// A notification already planned or sent for a case.
    public struct NotificationRecord: Sendable {
        public let key: String
        public let ruleID: String
        public let stage: String
        public let plannedAt: Instant
        public let state: String
        public let sentAt: Instant?
        public let recipients: String
    }

    public func notifications(_ ref: String) throws -> [NotificationRecord] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notification WHERE case_ref = ? ORDER BY planned_at", arguments: [ref]).map {
                NotificationRecord(key: $0["key"], ruleID: $0["rule_id"], stage: $0["stage"], plannedAt: Instant(seconds: $0["planned_at"]),
                    state: $0["state"], sentAt: ($0["sent_at"] as Int?).map(Instant.init), recipients: $0["recipients"])
            }
        }
    }

    /// The worker who actually hears about something owned by `worker` on `date`: the deputy (or, without
    /// one, the manager) while the worker is away, following the chain if they are away too.
    public func cover(for worker: String, on date: LocalDate) throws -> String {
        try pool.read { db in
            var current = worker
            var seen: Set<String> = [worker]
            while let a = try Row.fetchOne(db, sql: """
                SELECT a.deputy_id, w.manager_id FROM absence a JOIN worker w ON w.id = a.worker_id
                WHERE a.worker_id = ? AND a.starts_on <= ? AND a.ends_on >= ? ORDER BY a.id DESC LIMIT 1
                """, arguments: [current, date.description, date.description])
            {
                guard let next = (a["deputy_id"] as String?) ?? (a["manager_id"] as String?), seen.insert(next).inserted else { break }
                current = next
            }
            return current
        }
    }
}

/// `YYYY-MM-DD` as stored.
func parseDate(_ s: String?) -> LocalDate? {
    guard let s else { return nil }
    let b = Array(s.utf8)
    guard b.count == 10 else { return nil }
    func n(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(b[$1]) - 48 } }
    return LocalDate(year: n(0..<4), month: n(5..<7), day: n(8..<10))
}
