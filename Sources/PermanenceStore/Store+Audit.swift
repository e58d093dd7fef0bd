import GRDB
import PermanenceCore

/// The append-only audit log: every change, who made it, when and what, each entry chained to the
/// previous one by a SHA-256 hash so that an edited, inserted or deleted row is detectable.
extension Store {
    static let genesisHash = String(repeating: "0", count: 64)

    /// One audit entry as stored.
    public struct AuditEntry: Sendable {
        public let seq: Int
        public let at: Instant
        public let actor: String
        public let action: String
        public let subject: String
        public let detail: String
    }

    static func hash(prev: String, seq: Int, at: Int, actor: String, action: String, subject: String, detail: String) -> String {
        SHA256.hex([prev, String(seq), String(at), actor, action, subject, detail].joined(separator: "\u{1F}"))
    }

    /// Appends an entry inside the caller's transaction.
    static func audit(_ db: Database, at: Instant, actor: String, action: String, subject: String, detail: String) throws {
        let last = try Row.fetchOne(try db.cachedStatement(sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"))
        let seq = (last?["seq"] as Int? ?? 0) + 1
        let prev = last?["hash"] as String? ?? genesisHash
        let h = hash(prev: prev, seq: seq, at: at.seconds, actor: actor, action: action, subject: subject, detail: detail)
        try db.cachedStatement(sql: "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)").execute(arguments: [seq, at.seconds, actor, action, subject, detail, prev, h])
    }

    /// The result of checking the chain.
    public struct AuditVerification: Sendable {
        public let entries: Int
        /// Nil when the chain is intact; otherwise where it breaks and how.
        public let problem: String?
    }

    /// Walks the chain from the first entry and reports the first entry whose content, link or sequence
    /// does not match.
    public func verifyAudit() throws -> AuditVerification {
        try pool.read { db in
            var prev = Store.genesisHash
            var expected = 1
            var count = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY seq")
            while let r = try rows.next() {
                let seq: Int = r["seq"]
                let at: Int = r["at"]
                let where_ = "entry \(seq) (\(ruleSet.zone.iso8601(Instant(seconds: at))), \(r["action"] as String): \(r["subject"] as String))"
                if seq != expected {
                    return AuditVerification(entries: count, problem: "entry \(expected) is missing: the chain jumps to \(where_)")
                }
                if r["prev_hash"] as String != prev {
                    return AuditVerification(entries: count, problem: "\(where_) does not link to the entry before it")
                }
                let h = Store.hash(
                    prev: prev, seq: seq, at: at, actor: r["actor"], action: r["action"], subject: r["subject"],
                    detail: r["detail"])
                if h != r["hash"] as String {
                    return AuditVerification(entries: count, problem: "\(where_) was altered: its content does not match its hash")
                }
                prev = h
                expected += 1
                count += 1
            }
            return AuditVerification(entries: count, problem: nil)
        }
    }

    /// The most recent audit entries, newest last.
    public func auditEntries(subject: String? = nil, limit: Int = 100) throws -> [AuditEntry] {
        try pool.read { db in
            let sql = subject == nil
                ? "SELECT * FROM (SELECT * FROM audit ORDER BY seq DESC LIMIT ?) ORDER BY seq"
                : "SELECT * FROM (SELECT * FROM audit WHERE subject = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq"
            let args: StatementArguments = subject == nil ? [limit] : [subject!, limit]
            return try Row.fetchAll(db, sql: sql, arguments: args).map {
                AuditEntry(seq: $0["seq"], at: Instant(seconds: $0["at"]), actor: $0["actor"], action: $0["action"],
                    subject: $0["subject"], detail: $0["detail"])
            }
        }
    }
}
