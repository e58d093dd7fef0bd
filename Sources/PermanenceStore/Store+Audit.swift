@preconcurrency import Crypto
import Foundation
import GRDB
import PermanenceCore
import Synchronization

/// The append-only audit log: every change, who made it, when and what, each entry chained to the
/// previous one by an HMAC-SHA-256 keyed with a secret the store does not hold (`[store] audit-key`, a
/// systemd credential), so that an edited, inserted or deleted row, or a chain recomputed from scratch,
/// is detectable. The chain's head (last entry and its MAC) is also written to a file beside the store
/// after every commit, so a cut tail is detected too. Entries written before the key was introduced keep
/// their plain SHA-256 links and are checked as such.
extension Store {
    static let genesisHash = String(repeating: "0", count: 64)

    /// A store file's path with symlinks resolved and `.`/`..` gone: one name for one file, for its audit key
    /// and its heads in the journal.
    public static func canonicalPath(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// One audit entry as stored.
    public struct AuditEntry: Sendable {
        public let seq: Int
        public let at: Instant
        public let actor: String
        public let action: String
        public let subject: String
        public let detail: String
    }

    /// An entry's link: HMAC-SHA-256 with `key`, or (entries from before the key) plain SHA-256.
    static func hash(prev: String, seq: Int, at: Int, actor: String, action: String, subject: String, detail: String, key: SymmetricKey? = nil) -> String {
        guard let key else {
            var digest = PermanenceCore.SHA256()
            digest.update(linkBytes(prev: prev, seq: seq, at: at, actor: actor, action: action, subject: subject, detail: detail))
            return digest.finalizeHex()
        }
        return hash(prev: prev, seq: seq, at: at, actor: actor, action: action, subject: subject, detail: detail, keyed: HMAC(key: key))
    }

    /// The same link from an HMAC already keyed (`AuditContext.keyed`): the key's own blocks are hashed once
    /// per store, not once per entry.
    static func hash(prev: String, seq: Int, at: Int, actor: String, action: String, subject: String, detail: String,
                     keyed: HMAC<Crypto.SHA256>) -> String {
        var mac = keyed
        linkBytes(prev: prev, seq: seq, at: at, actor: actor, action: action, subject: subject, detail: detail).withUnsafeBytes {
            mac.update(data: $0)
        }
        return mac.finalize().withUnsafeBytes { hex($0) }
    }

    /// What an entry's link covers: its fields' UTF-8 joined by U+001F (the numbers in decimal), gathered into
    /// one buffer without making the joined string (an import appends an entry for every row).
    static func linkBytes(prev: String, seq: Int, at: Int, actor: String, action: String, subject: String, detail: String) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(prev.utf8.count + actor.utf8.count + action.utf8.count + subject.utf8.count + detail.utf8.count + 48)
        text += prev.utf8
        text.append(0x1F)
        text += String(seq).utf8
        text.append(0x1F)
        text += String(at).utf8
        text.append(0x1F)
        text += actor.utf8
        text.append(0x1F)
        text += action.utf8
        text.append(0x1F)
        text += subject.utf8
        text.append(0x1F)
        text += detail.utf8
        return text
    }

    /// Lower-case hex of a MAC's bytes.
    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            let digits: StaticString = "0123456789abcdef"
            digits.withUTF8Buffer { digits in
                for (i, b) in bytes.enumerated() {
                    out[2 * i] = digits[Int(b >> 4)]
                    out[2 * i + 1] = digits[Int(b & 0x0F)]
                }
            }
            return bytes.count * 2
        }
    }

    /// Appends an entry inside the caller's transaction, keyed with the store's audit key; the head file is
    /// updated once the transaction commits.
    /// `fast`: an import's prepared statements, for the entries it appends by the thousand.
    func audit(_ db: Database, at: Instant, actor: String, action: String, subject: String, detail: String, fast: ImportCache? = nil) throws {
        let seq: Int
        let prev: String
        func lastSeq() throws -> Int? {
            guard let fast else { return try Int.fetchOne(try db.cachedStatement(sql: "SELECT MAX(seq) FROM audit")) }
            var last: Int?
            try fast.auditLast.forEachRow { last = $0.int(0) }
            return last
        }
        // This transaction wrote the last entry itself (a long import appends one per case): its head is
        // known and the key was checked then. (Unless a savepoint rolled that entry back: then the chain is
        // read again.)
        if let staged = auditContext.staged(db), try lastSeq() == staged.seq {
            seq = staged.seq + 1
            prev = staged.hash
        } else {
            let last = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM audit ORDER BY seq DESC LIMIT 1"))
            seq = (last?["seq"] as Int? ?? 0) + 1
            prev = last?["hash"] as String? ?? Store.genesisHash
            let keyedFrom = try String.fetchOne(try db.cachedStatement(sql: "SELECT value FROM meta WHERE key = 'audit-keyed-from'"))
            if keyedFrom == nil {
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('audit-keyed-from', ?)", arguments: [String(seq)])
            }
            // The key must be the one the chain was written with (a key file replaced since the daemon started, a
            // command given another one): entries chained with a different key would make every later check fail.
            if let last, let from = keyedFrom.flatMap(Int.init), last["seq"] as Int >= from {
                let again = Store.hash(prev: last["prev_hash"], seq: last["seq"], at: last["at"], actor: last["actor"], action: last["action"],
                    subject: last["subject"], detail: last["detail"], keyed: auditContext.keyed)
                guard again == last["hash"] as String else {
                    throw Failure("\(path): the audit key ([store] audit-key) is not the one the audit log was written with, or its last entry was altered (permanenced audit verify says which); nothing was changed")
                }
            }
        }
        let h = Store.hash(prev: prev, seq: seq, at: at.seconds, actor: actor, action: action, subject: subject, detail: detail, keyed: auditContext.keyed)
        if let fast {
            try fast.auditInsert.bind(seq).bind(at.seconds).bind(actor).bind(action).bind(subject).bind(detail).bind(prev).bind(h).run()
        } else {
            try db.cachedStatement(sql: Store.insertAuditSQL).execute(arguments: [seq, at.seconds, actor, action, subject, detail, prev, h])
        }
        auditContext.stage(AuditHead(seq: seq, hash: h), db)
    }

    static let insertAuditSQL = "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"

    /// The result of checking the chain.
    public struct AuditVerification: Sendable {
        public let entries: Int
        /// Nil when the chain is intact; otherwise where it breaks and how.
        public let problem: String?
        /// Something short of a break to tell the admin (no head file yet: a cut tail cannot be seen).
        public var note: String? = nil
        /// A head file was there and checked.
        public var headFile = false
    }

    /// Walks the chain from the first entry and reports the first entry whose content, link or sequence
    /// does not match, then compares it with the head file and with `journalHeads`, every head the journal
    /// holds for this store: none may lie beyond the chain's end, and each must match the entry it names.
    public func verifyAudit(journalHeads: [(seq: Int, hash: String)] = []) throws -> AuditVerification {
        var recorded: [Int: String] = [:]
        for h in journalHeads where recorded[h.seq] == nil { recorded[h.seq] = h.hash }
        let furthest = journalHeads.map(\.seq).max()
        let head = AuditHead.read(beside: path)
        let key: SymmetricKey? = auditContext.key
        return try pool.read { db in
            var prev = Store.genesisHash
            var expected = 1
            var count = 0
            let keyedFrom = Int(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'audit-keyed-from'") ?? "") ?? Int.max
            var headHash: String?
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
                // Entries from before the audit key have plain hash links; every later one is keyed.
                let keyed = seq >= min(keyedFrom, head?.keyedFrom ?? Int.max)
                if keyed && key == nil {
                    return AuditVerification(entries: count, problem: "the audit key is not available, so \(where_) cannot be checked")
                }
                let h = Store.hash(
                    prev: prev, seq: seq, at: at, actor: r["actor"], action: r["action"], subject: r["subject"],
                    detail: r["detail"], key: keyed ? key : nil)
                if h != r["hash"] as String {
                    return AuditVerification(entries: count, problem: "\(where_) was altered, or the chain rewritten: it does not match its keyed hash")
                }
                if let head, seq == head.seq { headHash = h }
                if let want = recorded[seq], want != h {
                    return AuditVerification(entries: count, problem: "the chain was rewritten: \(where_) does not match the head the journal recorded for it")
                }
                prev = h
                expected += 1
                count += 1
            }
            // The journal, which nobody but root can edit, says how far the chain went at its last change.
            if let furthest, furthest > count {
                return AuditVerification(
                    entries: count,
                    problem: "the tail was cut: the journal records entry \(furthest), and the chain ends at entry \(count) (\(furthest - count) entries missing)")
            }
            // The head file, which an edit of the store does not reach, says how far the chain went.
            guard let head else {
                let note = count == 0 || furthest != nil ? nil
                    : "no head file yet (\(AuditHead.path(beside: path))) and no head in the journal: a cut tail would not be seen until the next change writes one"
                return AuditVerification(entries: count, problem: nil, note: note)
            }
            if head.seq > count {
                return AuditVerification(
                    entries: count,
                    problem: "the tail was cut: the head file records entry \(head.seq), and the chain ends at entry \(count) (\(head.seq - count) entries missing)")
            }
            if headHash != head.hash {
                return AuditVerification(entries: count, problem: "the chain was rewritten: entry \(head.seq) does not match the head file")
            }
            return AuditVerification(entries: count, problem: nil, headFile: true)
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

/// The last entry of the audit chain and its MAC, written beside the store after each commit
/// (`STORE.audit-head`, mode 0600) so that deleting the newest entries, or rebuilding the chain, shows.
struct AuditHead: Equatable {
    let seq: Int
    let hash: String
    /// The first keyed entry (so a rebuilt chain cannot claim to be older, unkeyed entries).
    var keyedFrom: Int = 1

    static func path(beside store: String) -> String { store + ".audit-head" }

    func write(beside store: String) throws {
        let target = Self.path(beside: store)
        let temporary = target + ".tmp"
        let previous = umask(0o077)
        defer { umask(previous) }
        let keyedFrom = Self.read(beside: store)?.keyedFrom ?? seq
        try Data("\(seq) \(hash) \(min(keyedFrom, seq))\n".utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, target) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    static func read(beside store: String) -> AuditHead? {
        guard let text = try? String(contentsOfFile: path(beside: store), encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count >= 2, let seq = Int(parts[0]) else { return nil }
        return AuditHead(seq: seq, hash: String(parts[1]), keyedFrom: parts.count > 2 ? Int(parts[2]) ?? 1 : 1)
    }
}

/// Where a store's audit heads go once a change commits: called with the store's path, the last entry's
/// number and its MAC, once per transaction (the daemon and the CLI send it to the journal).
public typealias AuditHeadSink = @Sendable (_ store: String, _ seq: Int, _ hash: String) -> Void

/// One store's audit state: its key, and the heads its open transactions have written, waiting for their
/// commit (however many entries a transaction adds, the head file is written, and the sink told, once,
/// with the last of them). Owned by the `Store`: two stores in one process never see each other's.
final class AuditContext: Sendable {
    let key: SymmetricKey
    /// An HMAC keyed with `key`, copied for each entry.
    nonisolated(unsafe) let keyed: HMAC<Crypto.SHA256>
    /// The store file, beside which the head file goes.
    let store: String
    let sink: AuditHeadSink?
    /// Staged heads, by connection (the pool's writer and a reader never share one).
    private let pending = Mutex<[ObjectIdentifier: AuditHead]>([:])

    init(key: SymmetricKey, store: String, sink: AuditHeadSink?) {
        self.key = key
        keyed = HMAC(key: key)
        self.store = store
        self.sink = sink
    }

    /// The head this connection's open transaction has written, if any.
    func staged(_ db: Database) -> AuditHead? {
        pending.withLock { $0[ObjectIdentifier(db)] }
    }

    func stage(_ head: AuditHead, _ db: Database) {
        let id = ObjectIdentifier(db)
        let first = pending.withLock { staged in
            defer { staged[id] = head }
            return staged[id] == nil
        }
        guard first else { return }
        db.afterNextTransaction(onCommit: { [self] _ in committed(id) }, onRollback: { [self] _ in _ = take(id) })
    }

    private func take(_ id: ObjectIdentifier) -> AuditHead? {
        pending.withLock { $0.removeValue(forKey: id) }
    }

    private func committed(_ id: ObjectIdentifier) {
        guard let head = take(id) else { return }
        try? head.write(beside: store)
        sink?(store, head.seq, head.hash)
    }
}

/// Loading a store's audit key.
enum AuditKeys {
    /// Reads `[store] audit-key` (relative: a systemd credential, found as `Credentials.path` says), or without one a key file beside the store, created with 32 random bytes, mode 0600.
    static func load(configured: String?, store: String, configurationFile: String) throws -> SymmetricKey {
        let file: String
        if let configured {
            file = Credentials.path(configured, configurationFile: configurationFile, environment: ProcessInfo.processInfo.environment)
        } else {
            file = store + ".audit-key"
            if !FileManager.default.fileExists(atPath: file) {
                let previous = umask(0o077)
                defer { umask(previous) }
                let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
                guard FileManager.default.createFile(atPath: file, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
                    throw Store.Failure("\(file): cannot create the audit key")
                }
            }
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw Store.Failure("\(file): cannot read the audit key ([store] audit-key); without it no change can be recorded")
        }
        guard data.count >= 32 else { throw Store.Failure("\(file): the audit key must be at least 32 bytes (head -c 32 /dev/urandom)") }
        return SymmetricKey(data: data)
    }
}
