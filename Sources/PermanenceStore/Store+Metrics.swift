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

    /// The figures as of `now`, read in one snapshot (a reader: never waits for the daemon's writes). On a
    /// whole authority's store (250,000 open deadlines) it takes a few hundred milliseconds.
    public func figures(now: Instant) throws -> Figures {
        let statutoryPacks = Set(ruleSet.packs.filter(\.statutory).map(\.id))
        let statutoryRules = Set(ruleSet.rules.filter { statutoryPacks.contains($0.pack) }.map(\.id))
        func nation(_ calendar: String) -> Jurisdiction { ruleSet.jurisdictions[calendar] ?? .england }
        var f = Figures()
        try pool.read { db in
            for r in try Row.fetchAll(db, sql: "SELECT calendar, COUNT(*) FROM child_case WHERE closed_at IS NULL GROUP BY calendar") {
                f.openCases[nation(r[0]), default: 0] += r[1] as Int
            }
            // The same meaning of open as `status`: not yet met or moot, or met by an event still to come.
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.calendar, d.rule_id,
                       SUM(d.due_at <= :now), SUM(d.due_at > :now AND d.due_at <= :week), SUM(d.due_at IS NULL)
                FROM deadline d JOIN child_case c ON c.ref = d.case_ref
                WHERE (d.closes_at IS NULL OR d.closes_at > :now) AND c.closed_at IS NULL
                GROUP BY c.calendar, d.rule_id
                """, arguments: ["now": now.seconds, "week": now.seconds + 7 * 86_400])
            for r in rows {
                let j = nation(r[0])
                let statutory = statutoryRules.contains(r[1] as String)
                for (state, column) in [(DeadlineState.overdue, 2), (.dueWithin7Days, 3), (.cannotCompute, 4)] {
                    let n = (r[column] as Int?) ?? 0
                    if n > 0 { f.deadlines[DeadlineKey(state: state, jurisdiction: j, statutory: statutory), default: 0] += n }
                }
            }
            let outbox = try Row.fetchOne(db, sql: """
                SELECT COUNT(*), COUNT(*) FILTER (WHERE last_error IS NOT NULL), MIN(planned_at)
                FROM notification WHERE state IN ('pending', 'delivering')
                """)!
            (f.outboxPending, f.outboxRetrying, f.outboxOldest) = (outbox[0], outbox[1], (outbox[2] as Int?).map(Instant.init))
            let mail = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) FILTER (WHERE state IN ('pending', 'sending')),
                       COUNT(*) FILTER (WHERE state = 'pending' AND last_error IS NOT NULL),
                       MIN(created_at) FILTER (WHERE state IN ('pending', 'sending')),
                       COUNT(*) FILTER (WHERE state = 'failed')
                FROM mail
                """)!
            (f.mailQueued, f.mailRetrying, f.mailOldest, f.mailGivenUp) = (mail[0], mail[1], (mail[2] as Int?).map(Instant.init), mail[3])
            f.mailItemsWaiting = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mail_item WHERE mail_id IS NULL") ?? 0
            let relay = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'daemon.mail-relay-problem'") ?? ""
            f.relayRefusing = !relay.isEmpty
        }
        for suffix in ["", "-wal"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? nil
            f.sizeBytes += size ?? 0
        }
        return f
    }
}
