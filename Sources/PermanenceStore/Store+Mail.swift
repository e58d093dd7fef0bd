import Foundation
import GRDB
import PermanenceCore

/// The mail outbox. A notification becomes one `mail_item` per worker (so no worker gets the same item twice)
/// with the moment it should be emailed; items that are due are composed into a `mail` row in the same
/// transaction that claims them. A `mail` goes `pending` → `sending` → `sent`, or back to `pending` with a
/// later `not_before` after a temporary failure, or `failed`. A row left `sending` by a crash is sent again.
extension Store {
    /// An item for a worker, to be emailed at `sendAt`.
    public struct MailItemRow: Sendable, Equatable {
        public let worker: String
        public let key: String
        public let sendAt: Instant
        public let immediate: Bool

        public init(worker: String, key: String, sendAt: Instant, immediate: Bool) {
            self.worker = worker
            self.key = key
            self.sendAt = sendAt
            self.immediate = immediate
        }
    }

    /// A composed message and its delivery state.
    public struct MailRow: Sendable, Equatable {
        public let id: Int
        public let worker: String?
        public let address: String
        public let kind: String
        public let subject: String
        public let message: [UInt8]
        public let state: String
        public let attempts: Int
        public let notBefore: Instant
        public let createdAt: Instant
        public let lastError: String?
    }

    /// Adds items; one already known for that worker is ignored. Returns how many were new.
    @discardableResult
    public func addMailItems(_ items: [MailItemRow]) throws -> Int {
        guard !items.isEmpty else { return 0 }
        return try write { db in try Store.insertMailItems(db, items) }
    }

    @discardableResult
    static func insertMailItems(_ db: Database, _ items: [MailItemRow]) throws -> Int {
        var added = 0
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO mail_item (worker, key, send_at, immediate) VALUES (?, ?, ?, ?)")
        for i in items {
            try insert.execute(arguments: [i.worker, i.key, i.sendAt.seconds, i.immediate])
            added += db.changesCount
        }
        return added
    }

    /// Items whose moment has come, not yet in any mail, by worker.
    public func dueMailItems(at now: Instant) throws -> [MailItemRow] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT worker, key, send_at, immediate FROM mail_item WHERE mail_id IS NULL AND send_at <= ? ORDER BY worker, send_at, key",
                             arguments: [now.seconds])
                .map { MailItemRow(worker: $0[0], key: $0[1], sendAt: Instant(seconds: $0[2]), immediate: $0[3]) }
        }
    }

    /// A deadline whose calendar event a worker should drop: it was emailed to them, and is now met, no
    /// longer needed or gone (its case closed, its anchor corrected).
    public struct Cancellation: Sendable, Equatable {
        public let deadlineKey: String
        /// The due moment the worker's calendar has (from the last notification sent about it).
        public let dueAt: Instant
        /// The event was a timed one (else a whole day).
        public let isExact: Bool
    }

    /// The deadlines emailed to `worker` that are no longer open at `now` and whose calendar event has not
    /// been cancelled since it was last sent (`queueMail(cancelled:)` records a cancellation, so a deadline
    /// reopened and emailed again is cancelled again when it closes).
    public func calendarCancellations(worker: String, now: Instant) throws -> [Cancellation] {
        try pool.read { db in
            // Per deadline: the newest mail that carried it, with its key; and the newest cancellation.
            var sent: [String: (mail: Int, key: String, due: Int)] = [:]
            var cancelled: [String: Int] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT i.key, i.mail_id FROM mail_item i JOIN mail m ON m.id = i.mail_id
                WHERE i.worker = ? AND m.state IN ('sent', 'pending', 'sending')
                """, arguments: [worker])
            for r in rows {
                let key: String = r[0], mail: Int = r[1]
                if key.hasPrefix("cancel:") {
                    cancelled[String(key.dropFirst(7))] = max(cancelled[String(key.dropFirst(7))] ?? 0, mail)
                    continue
                }
                guard let (deadline, due) = PlannedNotification.parts(ofKey: key) else { continue }
                if mail > (sent[deadline]?.mail ?? -1) { sent[deadline] = (mail, key, due) }
            }
            var out: [Cancellation] = []
            for (deadline, last) in sent.sorted(by: { $0.key < $1.key }) where (cancelled[deadline] ?? -1) < last.mail {
                guard try !Store.isOpen(db, deadline: deadline, now: now) else { continue }
                let exact = try Bool.fetchOne(db, sql: "SELECT exact FROM notification WHERE key = ?", arguments: [last.key]) ?? true
                out.append(Cancellation(deadlineKey: deadline, dueAt: Instant(seconds: last.due), isExact: exact))
            }
            return out
        }
    }

    /// Whether the deadline `case/rule/anchor#cycle` is in the store and still open. A case reference or an
    /// event id may hold `/`: each split of the key that names a case is tried, against that case's rows.
    static func isOpen(_ db: Database, deadline: String, now: Instant) throws -> Bool {
        var end = deadline.startIndex
        while let slash = deadline[end...].firstIndex(of: "/") {
            let ref = String(deadline[..<slash])
            let rest = String(deadline[deadline.index(after: slash)...])
            let rows = try Row.fetchAll(db, sql: """
                SELECT rule_id, anchor_event, cycle, due_at, closes_at FROM deadline WHERE case_ref = ?
                """, arguments: [ref])
            for r in rows where "\(r[0] as String)/\(r[1] as String)#\(r[2] as Int)" == rest {
                let due: Int? = r[3], closes: Int? = r[4]
                return due != nil && (closes.map { $0 > now.seconds } ?? true)
            }
            end = deadline.index(after: slash)
        }
        return false
    }

    /// Queues a composed message and claims its items for it, in one transaction; `cancelled` are the
    /// deadlines whose calendar events it cancels.
    @discardableResult
    public func queueMail(worker: String?, address: String, kind: String, subject: String, message: [UInt8],
                          items: [String], cancelled: [String] = [], now: Instant) throws -> Int {
        try write { db in
            let id = try Store.insertMail(db, worker: worker, address: address, kind: kind, subject: subject, message: message, now: now)
            for key in items {
                try db.execute(sql: "UPDATE mail_item SET mail_id = ? WHERE worker = ? AND key = ?", arguments: [id, worker ?? "", key])
            }
            for deadline in cancelled {
                try db.execute(sql: "INSERT OR REPLACE INTO mail_item (worker, key, send_at, immediate, mail_id) VALUES (?, ?, ?, 0, ?)",
                               arguments: [worker ?? "", "cancel:\(deadline)", now.seconds, id])
            }
            return id
        }
    }

    /// Adds a composed message to the mail outbox, to send from `now`; its id.
    static func insertMail(_ db: Database, worker: String?, address: String, kind: String, subject: String, message: [UInt8],
                           now: Instant) throws -> Int {
        try db.execute(sql: """
            INSERT INTO mail (worker, address, kind, subject, message, not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [worker, address, kind, subject, Data(message), now.seconds, now.seconds])
        return Int(db.lastInsertedRowID)
    }

    /// The notification keys already put in an email to `worker` (for a digest's "already emailed").
    public func emailedKeys(worker: String) throws -> Set<String> {
        try pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT key FROM mail_item WHERE worker = ? AND mail_id > 0", arguments: [worker]))
        }
    }

    /// Items that need no email after all (the worker has no address): claimed with no mail.
    public func dropMailItems(worker: String, keys: [String]) throws {
        try write { db in
            for key in keys {
                try db.execute(sql: "UPDATE mail_item SET mail_id = 0 WHERE worker = ? AND key = ?", arguments: [worker, key])
            }
        }
    }

    /// Messages ready to send now (`pending` whose `not_before` has come), oldest first.
    public func sendableMail(at now: Instant, limit: Int = 1000) throws -> [MailRow] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM mail WHERE state = 'pending' AND not_before <= ? ORDER BY not_before, id LIMIT ?",
                             arguments: [now.seconds, limit]).map(Store.mailRow)
        }
    }

    /// The earliest moment anything in the mail outbox is due: a waiting item or a message to (re)try.
    public func nextMailMoment() throws -> Instant? {
        try pool.read { db in
            let a = try Int.fetchOne(db, sql: "SELECT MIN(send_at) FROM mail_item WHERE mail_id IS NULL")
            let b = try Int.fetchOne(db, sql: "SELECT MIN(not_before) FROM mail WHERE state = 'pending'")
            return [a, b].compactMap { $0 }.min().map(Instant.init)
        }
    }

    public func markMailSending(_ ids: [Int]) throws {
        try write { db in
            for id in ids { try db.execute(sql: "UPDATE mail SET state = 'sending', attempts = attempts + 1 WHERE id = ?", arguments: [id]) }
        }
    }

    public func markMailSent(_ id: Int, at: Instant) throws {
        try write { db in
            try db.execute(sql: "UPDATE mail SET state = 'sent', sent_at = ?, last_error = NULL WHERE id = ?", arguments: [at.seconds, id])
        }
    }

    /// A temporary failure: try again at `retryAt`.
    public func markMailRetry(_ id: Int, error: String, retryAt: Instant) throws {
        try write { db in
            try db.execute(sql: "UPDATE mail SET state = 'pending', last_error = ?, not_before = ? WHERE id = ?",
                           arguments: [error, retryAt.seconds, id])
        }
    }

    /// Given up: a permanent failure, or temporary failures for too long.
    public func markMailFailed(_ id: Int, error: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE mail SET state = 'failed', last_error = ? WHERE id = ?", arguments: [error, id])
        }
    }

    /// After a crash: messages left `sending` go back to `pending` (sent again, at most once more).
    @discardableResult
    public func requeueInterruptedMail() throws -> Int {
        try write { db in
            try db.execute(sql: "UPDATE mail SET state = 'pending' WHERE state = 'sending'")
            return db.changesCount
        }
    }

    /// Mail outbox counts for `status`.
    /// `oldest`: when the oldest message still to send was composed.
    public func mailSummary() throws -> (pending: Int, retrying: Int, failed: Int, sent: Int, oldest: Instant?) {
        try pool.read { db in
            let r = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) FILTER (WHERE state IN ('pending', 'sending')),
                       COUNT(*) FILTER (WHERE state = 'pending' AND last_error IS NOT NULL),
                       COUNT(*) FILTER (WHERE state = 'failed'),
                       COUNT(*) FILTER (WHERE state = 'sent'),
                       MIN(created_at) FILTER (WHERE state IN ('pending', 'sending'))
                FROM mail
                """)!
            return (r[0], r[1], r[2], r[3], (r[4] as Int?).map(Instant.init))
        }
    }

    /// Items waiting for their moment (a digest, the end of quiet hours), and the earliest moment.
    public func waitingMailItems() throws -> (count: Int, next: Instant?) {
        try pool.read { db in
            let r = try Row.fetchOne(db, sql: "SELECT COUNT(*), MIN(send_at) FROM mail_item WHERE mail_id IS NULL")!
            return (r[0], (r[1] as Int?).map(Instant.init))
        }
    }

    /// Every message (for tests and `status`), oldest first.
    public func allMail() throws -> [MailRow] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM mail ORDER BY id").map(Store.mailRow) }
    }

    /// A notification from the outbox, by key (for composing its email).
    public func notification(_ key: String) throws -> OutboxItem? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM notification WHERE key = ?", arguments: [key]).map { Store.outboxRow($0).item }
        }
    }

    static func mailRow(_ r: Row) -> MailRow {
        let data: Data = r["message"]
        return MailRow(id: r["id"], worker: r["worker"], address: r["address"], kind: r["kind"], subject: r["subject"],
                       message: [UInt8](data), state: r["state"], attempts: r["attempts"],
                       notBefore: Instant(seconds: r["not_before"]), createdAt: Instant(seconds: r["created_at"]), lastError: r["last_error"])
    }
}
