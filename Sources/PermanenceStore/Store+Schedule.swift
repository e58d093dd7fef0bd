import GRDB
import PermanenceCore

/// What the daemon reads to build and keep its schedule: every open case at start, then only the cases
/// whose revision moved since it last looked.
extension Store {
    /// The highest case revision: it moves whenever any case's deadlines are recomputed.
    public func revision() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT IFNULL(MAX(revision), 0) FROM child_case") ?? 0 }
    }

    /// Cases recomputed since `revision` (closed ones too, so the daemon can drop them), and the revision
    /// they bring the reader to.
    public func changedCases(since revision: Int) throws -> (refs: [String], revision: Int) {
        try pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT ref, revision FROM child_case WHERE revision > ? ORDER BY revision", arguments: [revision])
            return (rows.map { $0[0] }, rows.last.map { $0[1] } ?? revision)
        }
    }

    /// An open case with its current assignments and every event; nil once closed or if unknown.
    public func openCase(_ ref: String) throws -> (ChildCase, [CaseEvent])? {
        try pool.read { db in
            guard let c = try Store.loadCase(db, ref), c.closedAt == nil else { return nil }
            return (c.record, c.events)
        }
    }

    /// Calls `body` with every open case, its current assignments and all its events, reading the three
    /// tables once each in case order (one read transaction: a consistent snapshot). Returns the revision
    /// the snapshot is at.
    @discardableResult
    public func forEachOpenCase(_ body: (ChildCase, [CaseEvent]) throws -> Void) throws -> Int {
        try pool.read { db in
            let revision = try Int.fetchOne(db, sql: "SELECT IFNULL(MAX(revision), 0) FROM child_case") ?? 0
            let cases = try FastInsert(db, sql: "SELECT ref, initials, plan, calendar, packs FROM child_case WHERE closed_at IS NULL ORDER BY ref")
            let assignments = try FastInsert(
                db, sql: "SELECT case_ref, role, worker_id FROM assignment WHERE to_at IS NULL ORDER BY case_ref, from_at")
            let events = try FastInsert(db, sql: """
                SELECT e.case_ref, e.id, e.kind, e.at, e.date_only, e.note, e.supersedes, w.at FROM event e
                LEFT JOIN withdrawal w ON w.event_id = e.id ORDER BY e.case_ref, e.at, e.seq
                """)
            var hasAssignment = try assignments.step()
            var hasEvent = try events.step()
            while try cases.step() {
                let ref = cases.text(0) ?? ""
                var roles: [String: String] = [:]
                while hasAssignment, let r = assignments.text(0), !ref.utf8.lexicographicallyPrecedes(r.utf8) {
                    if r == ref, let role = assignments.text(1), let worker = assignments.text(2) { roles[role] = worker }
                    hasAssignment = try assignments.step()
                }
                var list: [CaseEvent] = []
                while hasEvent, let r = events.text(0), !ref.utf8.lexicographicallyPrecedes(r.utf8) {
                    if r == ref {
                        list.append(CaseEvent(
                            id: events.text(1) ?? "", caseRef: ref, kind: events.text(2) ?? "",
                            at: Instant(seconds: events.int(3) ?? 0), dateOnly: (events.int(4) ?? 0) != 0, note: events.text(5),
                            supersedes: events.text(6), withdrawn: events.int(7) != nil))
                    }
                    hasEvent = try events.step()
                }
                let record = ChildCase(
                    reference: ref, initials: cases.text(1), plan: cases.text(2) ?? "", calendar: cases.text(3) ?? "",
                    packs: (cases.text(4) ?? "").split(separator: " ").map(String.init), assignments: roles)
                try body(record, list)
            }
            return revision
        }
    }

    /// Open cases and open deadlines already past due at `now`: the daemon's status line.
    public func openAndOverdue(now: Instant) throws -> (openCases: Int, overdue: Int) {
        try pool.read { db in
            let open = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM child_case WHERE closed_at IS NULL") ?? 0
            let overdue = try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM deadline WHERE closes_at IS NULL AND due_at <= :now)
                     + (SELECT COUNT(*) FROM deadline WHERE closes_at > :now AND due_at <= :now)
                """, arguments: ["now": now.seconds]) ?? 0
            return (open, overdue)
        }
    }

    /// Open cases grouped by calendar and `packs` column: what decides which packs apply to them.
    public func openCaseProfiles() throws -> [(calendar: String, packs: [String], count: Int)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT calendar, packs, COUNT(*) FROM child_case WHERE closed_at IS NULL GROUP BY calendar, packs ORDER BY calendar, packs")
                .map { row in
                    let packs: String = row[1] ?? ""
                    return (row[0], packs.split(separator: " ").map(String.init), row[2])
                }
        }
    }

    /// A case's display initials, if it has any.
    public func initials(of ref: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT initials FROM child_case WHERE ref = ?", arguments: [ref]) }
    }

    /// A case's initials and working calendar, as its emails show them (nil if there is no such case).
    public func mailFacts(of ref: String) throws -> (initials: String?, calendar: String)? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT initials, calendar FROM child_case WHERE ref = ?", arguments: [ref]).map { ($0[0], $0[1]) }
        }
    }
}
