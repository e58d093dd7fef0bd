import Foundation
import GRDB
import PermanenceCore

extension Store {
    /// What the store says about the service, for the metrics: counts only, by closed sets of labels (a
    /// nation, a state); never a case reference, a name or a worker.
    public struct Figures: Sendable, Equatable {
        /// Open cases by the nation whose law governs them.
        public var openCases: [Jurisdiction: Int] = [:]
        /// Open deadlines by state, nation and whether their rule's pack is statutory.
        public var deadlines: [DeadlineKey: Int] = [:]
        /// Notifications waiting for the journal (or stderr), those whose last attempt failed, and the oldest's
        /// planned moment.
        public var outboxPending = 0
        public var outboxRetrying = 0
        public var outboxOldest: Instant?
        /// Emails waiting to be sent, those waiting after a failed attempt, the oldest's creation, and those
        /// given up.
        public var mailQueued = 0
        public var mailRetrying = 0
        public var mailOldest: Instant?
        public var mailGivenUp = 0
        /// Items held for a digest or the end of quiet hours.
        public var mailItemsWaiting = 0
        /// The relay refuses permanenced (login, TLS): as the daemon recorded it.
        public var relayRefusing = false
        /// The store's file and its write-ahead log, in bytes.
        public var sizeBytes = 0

        public init() {}
    }

    /// A deadline's state for the metrics.
    public enum DeadlineState: String, Sendable, CaseIterable {
        /// Open and past its due moment.
        case overdue
        /// Open and due within the next 7 days.
        case dueWithin7Days = "due_7d"
        /// Its anchors contradict each other: someone must correct the record.
        case cannotCompute = "cannot_compute"
    }

    public struct DeadlineKey: Hashable, Sendable {
        public var state: DeadlineState
        public var jurisdiction: Jurisdiction
        public var statutory: Bool

        public init(state: DeadlineState, jurisdiction: Jurisdiction, statutory: Bool) {
            self.state = state
            self.jurisdiction = jurisdiction
            self.statutory = statutory
        }
    }

    /// The figures as of `now`. The deadlines are counted from the covering index of open ones, plus the few
    /// met by an event still to come; on a whole authority's store (1.1 million open deadlines) it takes a
    /// few hundred milliseconds, on a reader beside the daemon's writes.
    public func figures(now: Instant) throws -> Figures {
        let statutoryPacks = Set(ruleSet.packs.filter(\.statutory).map(\.id))
        let statutoryRules = Set(ruleSet.rules.filter { statutoryPacks.contains($0.pack) }.map(\.id))
        func nation(_ calendar: String) -> Jurisdiction { ruleSet.jurisdictions[calendar] ?? .england }
        var f = Figures()
        try pool.read { db in
            for r in try Row.fetchAll(db, sql: "SELECT calendar, COUNT(*) FROM child_case WHERE closed_at IS NULL GROUP BY calendar") {
                f.openCases[nation(r[0]), default: 0] += r[1] as Int
            }
            // The same meaning of open as `status` and the agenda: not yet met or moot, or met by an event still
            // to come. Counted per case and rule first, then each case's calendar looked up once.
            let rows = try Row.fetchAll(db, sql: """
                SELECT d.case_ref, d.rule_id, SUM(d.due_at <= :now), SUM(d.due_at > :now AND d.due_at <= :week), SUM(d.due_at IS NULL)
                FROM (SELECT case_ref, rule_id, due_at FROM deadline WHERE closes_at IS NULL
                      UNION ALL SELECT case_ref, rule_id, due_at FROM deadline WHERE closes_at > :now) d
                GROUP BY d.case_ref, d.rule_id
                """, arguments: ["now": now.seconds, "week": now.seconds + 7 * 86_400])
            var calendars: [String: String?] = [:]
            let lookup = try db.makeStatement(sql: "SELECT calendar FROM child_case WHERE ref = ? AND closed_at IS NULL")
            for r in rows {
                let ref: String = r[0]
                if calendars[ref] == nil { calendars[ref] = .some(try String.fetchOne(lookup, arguments: [ref])) }
                guard let calendar = calendars[ref] ?? nil else { continue }
                let key = (nation(calendar), statutoryRules.contains(r[1] as String))
                for (state, column) in [(DeadlineState.overdue, 2), (.dueWithin7Days, 3), (.cannotCompute, 4)] {
                    let n = (r[column] as Int?) ?? 0
                    if n > 0 { f.deadlines[DeadlineKey(state: state, jurisdiction: key.0, statutory: key.1), default: 0] += n }
                }
            }
        }
        let outbox = try outboxSummary()
        (f.outboxPending, f.outboxRetrying, f.outboxOldest) = (outbox.pending, outbox.failed, outbox.oldestPending)
        let mail = try mailSummary()
        (f.mailQueued, f.mailRetrying, f.mailOldest, f.mailGivenUp) = (mail.pending, mail.retrying, mail.oldest, mail.failed)
        f.mailItemsWaiting = try waitingMailItems().count
        f.relayRefusing = !(try daemonState()["mail-relay-problem"] ?? "").isEmpty
        f.sizeBytes = sizeInBytes()
        return f
    }
}
