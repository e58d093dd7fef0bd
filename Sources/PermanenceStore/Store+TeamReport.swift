import Foundation
import GRDB
import PermanenceCore

extension Store {
    /// The facts for `workers` between `since` (the last report) and `now`; open deadlines due by `weekEnd`
    /// (the same local time a week on).
    public func teamFacts(workers: Set<String>, since: Instant, now: Instant, weekEnd: Instant) throws -> TeamFacts {
        var f = TeamFacts(since: since, now: now)
        guard !workers.isEmpty else { return f }
        let ids = Array(workers).sorted()
        let marks = databaseQuestionMarks(count: ids.count)
        let roleOrder = Dictionary(ruleSet.vocabulary.roles.enumerated().map { ($0.element.name, $0.offset) }, uniquingKeysWith: { a, _ in a })
        try pool.read { db in
            let args = StatementArguments(ids)
            // Open as the agenda counts it: not yet met or moot, or met by an event still to come.
            for r in try Row.fetchAll(db, sql: """
                SELECT case_ref, rule_id, owner_worker, due_at, exact FROM deadline
                WHERE owner_worker IN (\(marks)) AND closes_at IS NULL AND due_at <= ?
                UNION ALL
                SELECT case_ref, rule_id, owner_worker, due_at, exact FROM deadline
                WHERE closes_at > ? AND owner_worker IN (\(marks)) AND due_at <= ?
                ORDER BY 4, 1, 2
                """, arguments: args + [weekEnd.seconds, now.seconds] + args + [weekEnd.seconds]) {
                f.open.append(.init(caseRef: r[0], ruleID: r[1], owner: r[2], dueAt: Instant(seconds: r[3]), exact: r[4]))
            }
            // Met since the last report (closes_at is the earlier of met and moot, so it bounds met_at below).
            for r in try Row.fetchAll(db, sql: """
                SELECT case_ref, rule_id, owner_worker, due_at, met_at, exact FROM deadline
                WHERE closes_at > ? AND closes_at <= ? AND met_at > ? AND met_at <= ? AND due_at IS NOT NULL AND owner_worker IN (\(marks))
                ORDER BY met_at, case_ref, rule_id
                """, arguments: [since.seconds, now.seconds, since.seconds, now.seconds] + args) {
                f.met.append(.init(caseRef: r[0], ruleID: r[1], owner: r[2], dueAt: Instant(seconds: r[3]), exact: r[5], metAt: Instant(seconds: r[4])))
            }
            for r in try Row.fetchAll(db, sql: """
                SELECT DISTINCT case_ref, rule_id, due_at FROM notification
                WHERE stage = 'escalation' AND state = 'sent' AND due_at IS NOT NULL AND owner IN (\(marks))
                """, arguments: args) {
                f.escalated.insert("\(r[0] as String)|\(r[1] as String)|\(r[2] as Int)")
            }
            var byCase: [String: (TeamFacts.TeamCase, Int)] = [:]
            for r in try Row.fetchAll(db, sql: """
                SELECT c.ref, c.initials, c.plan, a.role, a.worker_id, c.opened_at FROM child_case c
                JOIN assignment a ON a.case_ref = c.ref AND a.to_at IS NULL AND a.from_at <= ?
                WHERE c.closed_at IS NULL AND a.worker_id IN (\(marks))
                """, arguments: [now.seconds] + args) {
                let rank = roleOrder[r[3] as String] ?? Int.max
                if let known = byCase[r[0]], known.1 <= rank { continue }
                byCase[r[0]] = (TeamFacts.TeamCase(ref: r[0], initials: r[1], plan: r[2] ?? "", worker: r[4], openedAt: (r[5] as Int?).map(Instant.init)), rank)
            }
            f.cases = byCase.values.map(\.0).sorted { $0.ref < $1.ref }
        }
        return f
    }
}

extension Store {
    /// The last weekly team report sent (the moment of its slot), as `queueTeamReports` recorded it.
    public func lastTeamReport() throws -> Instant? {
        try daemonState()["team-report"].flatMap { Int($0) }.map(Instant.init)
    }

    /// Queues a week's team reports and records that week's slot as done, in one transaction: a crash
    /// neither loses the week's reports nor sends them twice.
    public func queueTeamReports(_ messages: [(worker: String, address: String, subject: String, message: [UInt8])], slot: Instant,
                                 now: Instant) throws {
        try write { db in
            for m in messages {
                _ = try Store.insertMail(db, worker: m.worker, address: m.address, kind: "team-report", subject: m.subject, message: m.message, now: now)
            }
            try Store.setMeta(db, "daemon.team-report", String(slot.seconds))
        }
    }
}
