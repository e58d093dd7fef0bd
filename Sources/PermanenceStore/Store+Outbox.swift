import Foundation
import GRDB
import PermanenceCore

/// The durable outbox: a notification that falls due is written here in the same transaction that moves
/// the daemon's cursor past its moment, and delivery reads it back. A row goes `pending` → `delivering`
/// (just before it is handed to the journal) → `sent`; a row left `delivering` by a crash is checked
/// against the journal before it is sent again.
extension Store {
    /// An outbox row with its delivery state.
    public struct OutboxRow: Sendable, Equatable {
        public let item: OutboxItem
        public let state: String
        public let attempts: Int
        /// Where it was delivered ("journal" or "stderr"), once sent.
        public let deliveredTo: String?
    }

    /// The store revision up to which the daemon has caught up every changed case (nil before its first run).
    public func daemonRevision() throws -> Int? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'daemon.revision'").flatMap(Int.init)
        }
    }

    /// The instant up to which the daemon has queued everything due (nil before its first run).
    public func daemonCursor() throws -> Instant? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'daemon.cursor'").flatMap(Int.init).map(Instant.init)
        }
    }

    /// Queues notifications that fell due and moves the cursor to `cursor`, in one transaction. A key
    /// already in the outbox (queued or sent before) is not queued again. Returns how many were new.
    @discardableResult
    ///
    /// `revision`, when given, is the store revision whose changes this queueing covers (every case changed
    /// up to it has had its late deadlines caught up): a restart need look again only at cases changed since.
    /// `cursor` nil: the cursor stays where it is (a first part of a large batch; the last part moves it).
    public func enqueue(_ items: [OutboxItem], cursor: Instant?, revision: Int? = nil, now: Instant) throws -> Int {
        try write { db in
            let insert = try FastInsert(db, sql: """
                INSERT OR IGNORE INTO notification (key, case_ref, rule_id, stage, level, due_at, planned_at, state,
                    recipients, exact, severity, owner, late, queued_at, next_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)
                """)
            var added = 0
            for i in items {
                insert.bind(i.key).bind(i.caseRef).bind(i.ruleID).bind(i.stage.rawValue).bind(i.level).bind(i.dueAt.seconds)
                    .bind(i.plannedAt.seconds).bind(Store.encodeRecipients(i.recipients)).bind(i.isExact).bind(i.severity.rawValue)
                    .bind(i.owner).bind(i.backlog ? 2 : i.late ? 1 : 0).bind(now.seconds).bind(i.nextNoticeAt?.seconds)
                added += try insert.run()
            }
            if let cursor { try Store.setMeta(db, "daemon.cursor", String(cursor.seconds)) }
            if let revision { try Store.setMeta(db, "daemon.revision", String(revision)) }
            return added
        }
    }

    /// Which of `keys` are in the outbox already (queued or sent).
    public func knownNotificationKeys(_ keys: [String]) throws -> Set<String> {
        try pool.read { db in
            var known = Set<String>()
            for start in stride(from: 0, to: keys.count, by: 500) {
                let part = Array(keys[start..<min(start + 500, keys.count)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
                known.formUnion(try String.fetchAll(db, sql: "SELECT key FROM notification WHERE key IN (\(marks))",
                                                    arguments: StatementArguments(part)))
            }
            return known
        }
    }

    /// Rows still to deliver (`pending`, or `delivering` when a crash interrupted), oldest moment first.
    public func outbox(limit: Int = 1000) throws -> [OutboxRow] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM notification WHERE state IN ('pending', 'delivering')
                ORDER BY planned_at, CASE stage WHEN 'reminder' THEN 0 WHEN 'due' THEN 1 WHEN 'overdue' THEN 2 ELSE 3 END,
                    level, key
                LIMIT ?
                """, arguments: [limit]).map(Store.outboxRow)
        }
    }

    /// Marks rows as being handed to the journal now and adds their email items, in one transaction: from
    /// here on a crash can repeat a journal entry (which a restart looks up before writing again), never an
    /// email.
    public func markDelivering(_ keys: [String], mailItems: [MailItemRow] = []) throws {
        guard !keys.isEmpty else { return }
        try write { db in
            let mark = try db.cachedStatement(sql: "UPDATE notification SET state = 'delivering', attempts = attempts + 1 WHERE key = ?")
            for key in keys { try mark.execute(arguments: [key]) }
            try Store.insertMailItems(db, mailItems)
        }
    }

    /// Marks rows delivered, and where to ("journal" or "stderr").
    public func markSent(_ keys: [String], at: Instant, to destination: String) throws {
        guard !keys.isEmpty else { return }
        // A line on stderr cannot be looked up after a crash, so it is delivered at least once whatever the
        // disk keeps: its mark need not wait for the disk (one commit a line).
        let commit: ((Database) throws -> Void) throws -> Void = destination == "stderr" ? { try self.writeRelaxed($0) } : { try self.write($0) }
        try commit { db in
            let mark = try db.cachedStatement(
                sql: "UPDATE notification SET state = 'sent', sent_at = ?, last_error = NULL, delivered_to = ? WHERE key = ?")
            for key in keys { try mark.execute(arguments: [at.seconds, destination, key]) }
        }
    }

    /// Notifications marked delivered to the journal at or after `since`, and the latest such moment: after a
    /// power loss, the ones whose entries the journal did not keep are delivered again.
    public func journalDeliveries(since: Instant) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT key FROM notification WHERE state = 'sent' AND IFNULL(delivered_to, 'journal') = 'journal' AND sent_at >= ?",
                                arguments: [since.seconds])
        }
    }

    /// When the last notification went to the journal, if any did.
    public func lastJournalDelivery() throws -> Instant? {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT MAX(sent_at) FROM notification WHERE state = 'sent' AND IFNULL(delivered_to, 'journal') = 'journal'")
        }.map(Instant.init)
    }

    /// Puts delivered rows back to `pending`: their journal entries were lost (a power loss before journald
    /// wrote them to disk). They are delivered again, once.
    public func markUndelivered(_ keys: [String], reason: String) throws {
        guard !keys.isEmpty else { return }
        try write { db in
            let mark = try db.cachedStatement(
                sql: "UPDATE notification SET state = 'pending', sent_at = NULL, delivered_to = NULL, last_error = ? WHERE key = ? AND state = 'sent'")
            for key in keys { try mark.execute(arguments: [reason, key]) }
        }
    }

    /// Puts a row back to `pending` with the reason delivery failed (it is tried again).
    public func markFailed(_ key: String, error: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE notification SET state = 'pending', last_error = ? WHERE key = ?", arguments: [error, key])
        }
    }

    /// Outbox counts for `status`.
    public struct OutboxSummary: Sendable, Equatable {
        public let pending: Int
        /// Rows whose last delivery attempt failed and wait to be tried again.
        public let failed: Int
        public let sent: Int
        public let oldestPending: Instant?
        /// Delivered notifications by where they went ("journal", "stderr").
        public let sentTo: [String: Int]
    }

    public func outboxSummary() throws -> OutboxSummary {
        try pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT
                    COUNT(*) FILTER (WHERE state IN ('pending', 'delivering')),
                    COUNT(*) FILTER (WHERE state IN ('pending', 'delivering') AND last_error IS NOT NULL),
                    COUNT(*) FILTER (WHERE state = 'sent'),
                    MIN(planned_at) FILTER (WHERE state IN ('pending', 'delivering'))
                FROM notification
                """)!
            var sentTo: [String: Int] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT IFNULL(delivered_to, 'journal'), COUNT(*) FROM notification WHERE state = 'sent' GROUP BY 1") {
                sentTo[r[0]] = r[1]
            }
            return OutboxSummary(pending: row[0], failed: row[1], sent: row[2], oldestPending: (row[3] as Int?).map(Instant.init),
                                 sentTo: sentTo)
        }
    }

    /// What the running daemon last said about itself (`daemon.*` keys of the meta table).
    public func daemonState() throws -> [String: String] {
        try pool.read { db in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta WHERE key LIKE 'daemon.%'") {
                out[String((row[0] as String).dropFirst("daemon.".count))] = row[1]
            }
            return out
        }
    }

    /// Records the daemon's state for `permanenced status` (pid, state, next instant due, status line).
    public func setDaemonState(_ values: [String: String]) throws {
        try write { db in
            for (k, v) in values { try Store.setMeta(db, "daemon.\(k)", v) }
        }
    }

    static func setMeta(_ db: Database, _ key: String, _ value: String) throws {
        try db.execute(
            sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            arguments: [key, value])
    }

    static func outboxRow(_ r: Row) -> OutboxRow {
        let item = OutboxItem(
            key: r["key"], caseRef: r["case_ref"], ruleID: r["rule_id"],
            stage: NotificationStage(rawValue: r["stage"]) ?? .reminder, level: r["level"],
            dueAt: Instant(seconds: r["due_at"] ?? 0), isExact: (r["exact"] as Int? ?? 0) != 0,
            severity: Severity(rawValue: r["severity"] ?? "") ?? .routine, plannedAt: Instant(seconds: r["planned_at"]),
            owner: r["owner"], recipients: Store.decodeRecipients(r["recipients"] ?? ""), late: (r["late"] as Int? ?? 0) != 0,
            nextNoticeAt: (r["next_at"] as Int?).map(Instant.init))
        var marked = item
        marked.backlog = (r["late"] as Int? ?? 0) == 2
        return OutboxRow(item: marked, state: r["state"], attempts: r["attempts"] ?? 0, deliveredTo: r["delivered_to"])
    }

    /// Recipients as stored: a JSON array of `{"role": ..., "worker": ...}`.
    static func encodeRecipients(_ recipients: [Recipient]) -> String {
        String(decoding: (try? JSONEncoder().encode(recipients)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// The inverse of `encodeRecipients`; a row still in the old `role=worker,...` text (written before
    /// schema v6, or by an older binary) is read as that text was meant.
    static func decodeRecipients(_ text: String) -> [Recipient] {
        if let list = try? JSONDecoder().decode([Recipient].self, from: Data(text.utf8)) { return list }
        return legacyRecipients(text)
    }

    /// `role=worker` pairs separated by commas, as recipients were stored before schema v6.
    static func legacyRecipients(_ text: String) -> [Recipient] {
        text.split(separator: ",").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return Recipient(role: String(parts[0]), worker: parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : nil)
        }
    }
}
