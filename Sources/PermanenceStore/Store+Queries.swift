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
        /// The id of the event the deadline runs from.
        public let anchorEvent: String

        /// The deadline's stable key, as notifications and emails know it (`case/rule/anchor#cycle`).
        public var deadlineKey: String { "\(caseRef)/\(ruleID)/\(anchorEvent)#\(cycle)" }
    }

    /// Open deadlines due by `now + within` (or only overdue ones), in due order. Closed cases have no
    /// deadlines (closing a case removes them), so no join is needed.
    public func agenda(_ scope: AgendaScope, within seconds: Int, overdueOnly: Bool, now: Instant, limit: Int? = nil) throws
        -> [AgendaItem]
    {
        // Open deadlines are those never met or moot, read in agenda order from an index that holds every
        // column (`deadline_open_agenda`, or `deadline_open_owner_agenda` for one person's or team's), plus
        // the few met or moot in the future, merged in. The statements are stepped through the C API: this
        // runs once per item of a whole authority's agenda.
        let columns = "due_at, case_ref, rule_id, exact, owner_worker, anchor_event, cycle"
        let horizon = overdueOnly ? now.seconds - 1 : now.seconds + seconds
        let filter: String
        let who: String?
        switch scope {
        case .everyone: (filter, who) = ("", nil)
        case .worker(let w): (filter, who) = (" AND owner_worker = ?2", w)
        case .team(let m): (filter, who) = (" AND owner_worker IN (SELECT id FROM worker WHERE manager_id = ?2 UNION SELECT ?2)", m)
        case .caseRef(let r): (filter, who) = (" AND case_ref = ?2", r)
        }
        let order = " ORDER BY due_at, case_ref, rule_id" + (limit.map { " LIMIT \($0)" } ?? "")
        let today = ruleSet.zone.localDate(at: now)
        let zone = ruleSet.zone
        // What an item needs of its rule, looked up once per row (not the whole rule, copied each time).
        var rules: [String: (owner: String, severity: String)] = [:]
        for r in ruleSet.rules { rules[r.id] = (r.owner, r.severity.rawValue) }
        return try pool.read { db in
            let open = try FastInsert(db, sql: "SELECT \(columns) FROM deadline WHERE closes_at IS NULL AND due_at <= ?1\(filter)\(order)")
            let closing = try FastInsert(db, sql: "SELECT \(columns) FROM deadline WHERE closes_at > ?3 AND due_at <= ?1\(filter)\(order)")
            var days: [Int: LocalDate] = [:]
            func read(_ q: FastInsert) -> AgendaItem {
                let due = q.int(0)!
                let exact = q.int(3) != 0
                // A whole-day deadline ends at the start of the next day (many share a due moment).
                let key = due &* 2 &+ (exact ? 1 : 0)
                let dueDate = days[key] ?? {
                    let d = zone.dueDay(of: Instant(seconds: due), exact: exact)
                    days[key] = d
                    return d
                }()
                let ruleID = q.text(2)!
                let rule = rules[ruleID]
                return AgendaItem(
                    caseRef: q.text(1)!, initials: nil, ruleID: ruleID, cycle: q.int(6)!, dueAt: Instant(seconds: due), dueDate: dueDate,
                    isExact: exact, status: due <= now.seconds ? .overdue : (today >= dueDate ? .due : .upcoming),
                    ownerRole: rule?.owner ?? "", ownerWorker: q.text(4), severity: rule?.severity ?? "", anchorEvent: q.text(5)!)
            }
            var late: [AgendaItem] = []
            closing.bind(horizon)
            if let who { closing.bind(who) } else { closing.bind(nil as String?) }
            closing.bind(now.seconds)
            try closing.forEachRow { late.append(read($0)) }
            var out: [AgendaItem] = []
            out.reserveCapacity(1024)
            open.bind(horizon)
            if let who { open.bind(who) }
            var next = 0
            try open.forEachRow { q in
                let item = read(q)
                // Merged in order (both lists are sorted the same way).
                while next < late.count, (late[next].dueAt, late[next].caseRef, late[next].ruleID) < (item.dueAt, item.caseRef, item.ruleID) {
                    out.append(late[next])
                    next += 1
                }
                out.append(item)
            }
            out += late[next...]
            if let limit, out.count > limit { out.removeLast(out.count - limit) }
            return out
        }
    }

    /// One case, for `case list`: its settings, and how many of its deadlines are overdue.
    public struct CaseListing: Sendable, Equatable {
        public let reference: String
        public let plan: String
        public let calendar: String
        public let packs: [String]
        public let openedAt: Instant?
        public let closedAt: Instant?
        public let overdue: Int
        /// The next open deadline not yet due, and whether it falls at an exact moment (else it runs to the
        /// end of a day, and `nextDue` is the start of the next one).
        public let nextDue: Instant?
        public let nextDueExact: Bool
    }

    /// Every case (only the open ones unless `closed`), by reference.
    public func caseList(includingClosed closed: Bool, now: Instant) throws -> [CaseListing] {
        let open = "(d.closes_at IS NULL OR d.closes_at > :now)"
        let sql = """
            SELECT c.ref, c.plan, c.calendar, c.packs, c.opened_at, c.closed_at,
                (SELECT COUNT(*) FROM deadline d WHERE d.case_ref = c.ref AND \(open) AND d.due_at <= :now),
                (SELECT MIN(d.due_at) FROM deadline d WHERE d.case_ref = c.ref AND \(open) AND d.due_at > :now),
                (SELECT d.exact FROM deadline d WHERE d.case_ref = c.ref AND \(open) AND d.due_at > :now ORDER BY d.due_at, d.exact DESC LIMIT 1)
            FROM child_case c\(closed ? "" : " WHERE c.closed_at IS NULL") ORDER BY c.ref
            """
        return try pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: ["now": now.seconds]).map { r in
                CaseListing(
                    reference: r[0], plan: r[1], calendar: r[2], packs: (r[3] as String? ?? "").split(separator: " ").map(String.init),
                    openedAt: (r[4] as Int?).map(Instant.init), closedAt: (r[5] as Int?).map(Instant.init), overdue: r[6],
                    nextDue: (r[7] as Int?).map(Instant.init), nextDueExact: (r[8] as Int? ?? 0) != 0)
            }
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
            let open = "(d.closes_at IS NULL OR d.closes_at > :now)"
            let base = "SELECT COUNT(*) FROM deadline d WHERE "
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
    /// With `knownAt`: as it stood at that moment (the events that had happened or been booked by then, the
    /// withdrawals made by then, the workers assigned then), for `explain --at`.
    public func caseWithEvents(_ ref: String, knownAt: Instant? = nil) throws -> (ChildCase, [CaseEvent])? {
        try pool.read { db in try CaseReader(db, knownAt: knownAt).load(ref).map { ($0.record, $0.events) } }
    }

    /// The cases whose child was adopted in `[from, until)` (an adoption order, not withdrawn or corrected),
    /// each with its events and current assignments handed to `body` in turn (one case held at a time): the
    /// adoption scorecard's cohort. One read transaction.
    public func forEachAdoptedCase(from: Instant, until: Instant, _ body: (ChildCase, [CaseEvent]) throws -> Void) throws {
        try pool.read { db in
            let refs = try String.fetchAll(try db.cachedStatement(sql: """
                SELECT DISTINCT e.case_ref FROM event e LEFT JOIN withdrawal w ON w.event_id = e.id
                WHERE e.kind = 'adoption-order' AND w.event_id IS NULL AND e.at >= ? AND e.at < ?
                  AND NOT EXISTS (SELECT 1 FROM event s WHERE s.case_ref = e.case_ref AND s.supersedes = e.id)
                ORDER BY e.case_ref
                """), arguments: [from.seconds, until.seconds])
            let reader = try CaseReader(db)
            for ref in refs {
                if let c = try reader.load(ref) { try body(c.record, c.events) }
            }
        }
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
                    state: $0["state"], sentAt: ($0["sent_at"] as Int?).map(Instant.init),
                    recipients: OutboxItem.encode(Store.decodeRecipients($0["recipients"] ?? "")))
            }
        }
    }

    /// The worker who actually hears about something owned by `worker` on `date`: the deputy (or, without
    /// one, the manager) while the worker is away, following the chain if they are away too.
    public func cover(for worker: String, on date: LocalDate) throws -> String {
        try absenceCover(on: date).cover(for: worker)
    }

    /// Who stands in for whom on `date`, read once: for many lookups (a burst of notifications) at one query.
    public func absenceCover(on date: LocalDate) throws -> AbsenceCover {
        try pool.read { db in
            var next: [String: String] = [:]
            // The latest absence of each worker that covers the day wins, as a newer entry corrects an older.
            for row in try Row.fetchAll(db, sql: """
                SELECT a.worker_id, a.deputy_id, w.manager_id FROM absence a JOIN worker w ON w.id = a.worker_id
                WHERE a.starts_on <= ? AND a.ends_on >= ? ORDER BY a.id
                """, arguments: [date.description, date.description]) {
                if let to = (row["deputy_id"] as String?) ?? (row["manager_id"] as String?) { next[row["worker_id"]] = to }
                else { next[row["worker_id"]] = nil }
            }
            return AbsenceCover(next: next)
        }
    }
}

/// Who stands in for whom on one day: each absent worker's deputy, or their manager.
public struct AbsenceCover: Sendable {
    let next: [String: String]

    /// The worker who hears about something owned by `worker`: following deputies while they are away too,
    /// stopping at a loop.
    public func cover(for worker: String) -> String {
        var current = worker
        var seen: Set<String> = [worker]
        while let n = next[current], seen.insert(n).inserted { current = n }
        return current
    }
}
