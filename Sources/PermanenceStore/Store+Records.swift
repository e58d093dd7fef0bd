import GRDB
import PermanenceCore
import SMTPCore

/// Recording workers, cases, assignments and events. Each call is one transaction: validate, write, audit,
/// recompute the affected case's deadlines; on any error nothing is changed.
extension Store {
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as DatabaseError {
            throw Failure("\(path): \(error.message ?? "\(error)")")
        }
    }

    /// `write`, committed without waiting for the disk even on a durable store: for marks that a power loss
    /// may undo at no cost (a line written to stderr, which is delivered at least once anyway).
    func writeRelaxed<T>(_ body: (Database) throws -> T) throws -> T {
        guard durable else { return try write(body) }
        do {
            return try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
                var result: T?
                try db.inTransaction {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch let error as DatabaseError {
            throw Failure("\(path): \(error.message ?? "\(error)")")
        }
    }

    private func checkRoles(_ roles: [String]) throws {
        let known = ruleSet.vocabulary.roles.map(\.name)
        for r in roles where !known.contains(r) {
            throw Failure("unknown role '\(r)'; roles are: \(known.joined(separator: ", "))")
        }
    }

    static func workerExists(_ db: Database, _ id: String) throws -> Bool {
        try Bool.fetchOne(try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM worker WHERE id = ?)"), arguments: [id]) ?? false
    }

    /// Adds a worker; fails if the id is taken.
    public func addWorker(_ w: Worker, actor: String, now: Instant) throws {
        if let problem = WorkerID.problem(w.id) { throw Failure("worker id \(problem)") }
        try checkEmail(w)
        try checkRoles(w.roles)
        try write { db in
            if try Store.workerExists(db, w.id) { throw Failure("worker '\(w.id)' already exists; use worker update") }
            try self.saveWorker(db, w, actor: actor, now: now, action: "worker.add")
        }
    }

    /// Changes a worker's details; the deadlines of cases they own are recomputed.
    public func updateWorker(_ w: Worker, actor: String, now: Instant) throws {
        try checkEmail(w)
        try checkRoles(w.roles)
        try write { db in
            guard try Store.workerExists(db, w.id) else { throw Failure("unknown worker '\(w.id)'") }
            try self.saveWorker(db, w, actor: actor, now: now, action: "worker.update")
        }
    }

    /// A worker's address must be one the relay can take as it stands (`EmailAddress`: no SMTPUTF8, so no
    /// accented local part): refused here, not given up at send time.
    func checkEmail(_ w: Worker) throws {
        if let e = w.email, !e.isEmpty, let problem = EmailAddress.problem(e) {
            throw Failure("--email: '\(e)' is not an address the mail relay can take: \(problem)")
        }
    }

    /// Inserts or replaces a worker row with its audit entry (used by add, update and import).
    func saveWorker(_ db: Database, _ w: Worker, actor: String, now: Instant, action: String) throws {
        if let m = w.manager {
            guard m != w.id else { throw Failure("worker '\(w.id)' cannot be their own manager") }
            guard try Store.workerExists(db, m) else { throw Failure("unknown manager '\(m)'; add the manager first") }
        }
        try db.cachedStatement(sql: """
                INSERT INTO worker (id, name, email, roles, manager_id, display_name) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email, roles = excluded.roles,
                    manager_id = excluded.manager_id, display_name = excluded.display_name
                """).execute(arguments: [w.id, w.name, w.email, w.roles.joined(separator: " "), w.manager, w.displayName])
        try audit(db, at: now, actor: actor, action: action, subject: "worker:\(w.id)",
            detail: "roles=\(w.roles.joined(separator: ",")) manager=\(w.manager ?? "-")")
    }

    /// The worker with an id.
    public func worker(_ id: String) throws -> Worker? {
        try pool.read { db in try Store.fetchWorker(db, id) }
    }

    static func fetchWorker(_ db: Database, _ id: String) throws -> Worker? {
        guard let r = try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM worker WHERE id = ?"), arguments: [id]) else { return nil }
        return Worker(
            id: r["id"], name: r["name"], email: r["email"],
            roles: (r["roles"] as String).split(separator: " ").map(String.init), manager: r["manager_id"], displayName: r["display_name"])
    }

    /// Records that a worker is away, and who covers.
    public func addAbsence(_ a: Absence, actor: String, now: Instant) throws {
        guard a.from <= a.to else { throw Failure("the absence ends (\(a.to)) before it starts (\(a.from))") }
        try write { db in
            guard try Store.workerExists(db, a.worker) else { throw Failure("unknown worker '\(a.worker)'") }
            if let d = a.deputy {
                guard d != a.worker else { throw Failure("a worker cannot deputise for themselves") }
                guard try Store.workerExists(db, d) else { throw Failure("unknown deputy '\(d)'") }
            }
            try db.cachedStatement(sql: "INSERT INTO absence (worker_id, starts_on, ends_on, deputy_id) VALUES (?, ?, ?, ?)").execute(arguments: [a.worker, a.from.description, a.to.description, a.deputy])
            try self.audit(db, at: now, actor: actor, action: "worker.absent", subject: "worker:\(a.worker)",
                detail: "\(a.from)..\(a.to) deputy=\(a.deputy ?? "-")")
        }
    }

    /// Ends a worker's absence early: they are back on `back`. Each absence that covers that day ends the day
    /// before (or is removed, if it was to start that day); absences booked for later stay. Returns the
    /// absences as they were. Fails, changing nothing, when no absence covers the day.
    @discardableResult
    public func endAbsence(worker: String, backOn back: LocalDate, actor: String, now: Instant) throws -> [Absence] {
        try write { db in
            guard try Store.workerExists(db, worker) else { throw Failure("unknown worker '\(worker)'") }
            let day = back.description
            let rows = try Row.fetchAll(db, sql: """
                    SELECT id, starts_on, ends_on, deputy_id FROM absence
                    WHERE worker_id = ? AND starts_on <= ? AND ends_on >= ? ORDER BY starts_on
                    """, arguments: [worker, day, day])
            guard !rows.isEmpty else { throw Failure("\(worker) is not recorded as away on \(back); nothing was changed") }
            var ended: [Absence] = []
            for row in rows {
                let id: Int64 = row[0]
                let was = Absence(worker: worker, from: try Store.storedDate(row[1]), to: try Store.storedDate(row[2]), deputy: row[3])
                if was.from == back {
                    try db.execute(sql: "DELETE FROM absence WHERE id = ?", arguments: [id])
                } else {
                    try db.execute(sql: "UPDATE absence SET ends_on = ? WHERE id = ?", arguments: [back.adding(days: -1).description, id])
                }
                try self.audit(db, at: now, actor: actor, action: "worker.back", subject: "worker:\(worker)",
                    detail: "back \(back); was away \(was.from)..\(was.to)")
                ended.append(was)
            }
            return ended
        }
    }

    /// A date column (`YYYY-MM-DD`).
    static func storedDate(_ s: String) throws -> LocalDate {
        guard case .date(let d)? = try? TimePoint.parse(s, zone: .utc) else { throw Failure("a stored date '\(s)' is not YYYY-MM-DD") }
        return d
    }

    /// Every worker, by id.
    public func workers() throws -> [Worker] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM worker ORDER BY id").map { r in
                Worker(id: r["id"], name: r["name"], email: r["email"],
                    roles: (r["roles"] as String).split(separator: " ").map(String.init), manager: r["manager_id"], displayName: r["display_name"])
            }
        }
    }

    /// Absences that end on or after `date` (current and booked), by worker then start.
    public func absences(endingFrom date: LocalDate) throws -> [Absence] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT worker_id, starts_on, ends_on, deputy_id FROM absence WHERE ends_on >= ? ORDER BY worker_id, starts_on",
                             arguments: [date.description]).map { r in
                Absence(worker: r[0], from: try Store.storedDate(r[1]), to: try Store.storedDate(r[2]), deputy: r[3])
            }
        }
    }

    /// Opens a case. `openedAt` bounds the events it may record (nil: no bound).
    public func openCase(_ c: ChildCase, openedAt: Instant?, actor: String, now: Instant) throws {
        try validate(c)
        try write { db in
            if try Bool.fetchOne(try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM child_case WHERE ref = ?)"), arguments: [c.reference]) == true {
                throw Failure("case '\(c.reference)' already exists; use case update")
            }
            try self.saveCase(db, c, openedAt: openedAt, actor: actor, now: now, action: "case.open")
            try Store.recompute(db, c.reference, evaluator: Evaluator(ruleSet: ruleSet))
        }
    }

    /// Changes a case's plan, calendar, packs or initials; its deadlines are recomputed.
    public func updateCase(_ c: ChildCase, openedAt: Instant?, actor: String, now: Instant) throws {
        try validate(c)
        try write { db in
            guard let old = try Store.loadCase(db, c.reference) else { throw Failure("unknown case '\(c.reference)'") }
            try self.saveCase(db, c, openedAt: openedAt ?? old.openedAt, actor: actor, now: now, action: "case.update")
            try Store.recompute(db, c.reference, evaluator: Evaluator(ruleSet: ruleSet))
        }
    }

    func validate(_ c: ChildCase) throws {
        guard ruleSet.vocabulary.hasPlan(c.plan) else {
            throw Failure("unknown plan '\(c.plan)'; plans are: \(ruleSet.vocabulary.plans.map(\.name).joined(separator: ", "))")
        }
        guard ruleSet.calendars[c.calendar] != nil else {
            throw Failure("unknown calendar '\(c.calendar)'; calendars are: \(ruleSet.calendars.keys.sorted().joined(separator: ", "))")
        }
        let packs = Set(ruleSet.packs.map(\.id))
        for p in c.packs where !packs.contains(p) { throw Failure("unknown pack '\(p)'") }
    }

    static let upsertCaseSQL = """
        INSERT INTO child_case (ref, initials, plan, calendar, packs, opened_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT(ref) DO UPDATE SET initials = excluded.initials, plan = excluded.plan,
            calendar = excluded.calendar, packs = excluded.packs, opened_at = excluded.opened_at
        """

    func saveCase(_ db: Database, _ c: ChildCase, openedAt: Instant?, actor: String, now: Instant, action: String) throws {
        try db.cachedStatement(sql: Store.upsertCaseSQL).execute(arguments: [c.reference, c.initials, c.plan, c.calendar, c.packs.joined(separator: " "), openedAt?.seconds])
        try audit(db, at: now, actor: actor, action: action, subject: "case:\(c.reference)",
            detail: "plan=\(c.plan) calendar=\(c.calendar) packs=\(c.packs.joined(separator: ","))")
    }

    /// Closes a case: it keeps its history and has no more deadlines.
    public func closeCase(_ ref: String, at: Instant, actor: String, now: Instant) throws {
        try write { db in
            guard let stored = try Store.loadCase(db, ref) else { throw Failure("unknown case '\(ref)'") }
            guard stored.closedAt == nil else { throw Failure("case '\(ref)' is already closed") }
            try db.cachedStatement(sql: "UPDATE child_case SET closed_at = ? WHERE ref = ?").execute(arguments: [at.seconds, ref])
            try db.cachedStatement(sql: "UPDATE assignment SET to_at = ? WHERE case_ref = ? AND to_at IS NULL").execute(arguments: [at.seconds, ref])
            try self.audit(db, at: now, actor: actor, action: "case.close", subject: "case:\(ref)", detail: "closed \(at.seconds)")
            try Store.recompute(db, ref, evaluator: Evaluator(ruleSet: ruleSet))
        }
    }

    /// Reopens a closed case (closed in error, or the child's case resumes): its deadlines are worked out
    /// again from its whole history, so what fell due while it was closed shows as overdue. The workers whose
    /// assignments the closing ended hold their roles again from `at`. Returns those roles.
    @discardableResult
    public func reopenCase(_ ref: String, at: Instant, actor: String, now: Instant) throws -> [(role: String, worker: String)] {
        try write { db in
            guard let stored = try Store.loadCase(db, ref) else { throw Failure("unknown case '\(ref)'") }
            guard let closed = stored.closedAt else { throw Failure("case '\(ref)' is open; nothing was changed") }
            guard at <= now else { throw Failure("a case cannot be reopened in the future (--at \(ruleSet.zone.iso8601(at)))") }
            guard at >= closed else {
                throw Failure("case '\(ref)' was closed at \(ruleSet.zone.iso8601(closed)); it cannot be reopened before then")
            }
            // The holder of each role when it closed: the latest assignment the closing ended.
            var holders: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: """
                    SELECT role, worker_id FROM assignment WHERE case_ref = ? AND to_at = ? ORDER BY role, from_at, id
                    """, arguments: [ref, closed.seconds]) {
                holders[row[0]] = row[1]
            }
            let ended = holders.sorted { $0.key < $1.key }.map { (role: $0.key, worker: $0.value) }
            try db.execute(sql: "UPDATE child_case SET closed_at = NULL WHERE ref = ?", arguments: [ref])
            try self.audit(db, at: now, actor: actor, action: "case.reopen", subject: "case:\(ref)",
                detail: "closed \(closed.seconds) reopened \(at.seconds)")
            for a in ended {
                try self.assign(db, caseRef: ref, role: a.role, worker: a.worker, from: at, to: nil, actor: actor, now: now)
            }
            try Store.recompute(db, ref, evaluator: Evaluator(ruleSet: ruleSet))
            return ended
        }
    }

    /// Assigns a worker to a role on a case from a moment on; the previous holder's assignment ends then.
    public func assign(caseRef: String, role: String, worker: String, from: Instant, actor: String, now: Instant) throws {
        try checkRoles([role])
        try write { db in
            try self.assign(db, caseRef: caseRef, role: role, worker: worker, from: from, to: nil, actor: actor, now: now)
            try Store.recompute(db, caseRef, evaluator: Evaluator(ruleSet: ruleSet))
        }
    }

    /// Inserts an assignment (ending the previous holder's); returns false when it is already recorded.
    @discardableResult
    func assign(
        _ db: Database, caseRef: String, role: String, worker: String, from: Instant, to: Instant?, actor: String, now: Instant,
        audited: Bool = true
    ) throws -> Bool {
        guard let c = try Row.fetchOne(try db.cachedStatement(sql: "SELECT closed_at FROM child_case WHERE ref = ?"), arguments: [caseRef]) else {
            throw Failure("unknown case '\(caseRef)'")
        }
        guard (c["closed_at"] as Int?) == nil else { throw Failure("case '\(caseRef)' is closed") }
        guard try Store.workerExists(db, worker) else { throw Failure("unknown worker '\(worker)'") }
        if try Bool.fetchOne(
            try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM assignment WHERE case_ref = ? AND role = ? AND worker_id = ? AND from_at = ?)"),
            arguments: [caseRef, role, worker, from.seconds]) == true
        {
            return false  // the same assignment again (a re-import): nothing to do
        }
        try db.cachedStatement(sql: "UPDATE assignment SET to_at = ? WHERE case_ref = ? AND role = ? AND to_at IS NULL AND from_at <= ?")
            .execute(arguments: [from.seconds, caseRef, role, from.seconds])
        try db.cachedStatement(sql: "INSERT INTO assignment (case_ref, role, worker_id, from_at, to_at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [caseRef, role, worker, from.seconds, to?.seconds])
        if audited {
            try audit(db, at: now, actor: actor, action: "case.assign", subject: "case:\(caseRef)", detail: "\(role)=\(worker) from \(from.seconds)")
        }
        return true
    }

    static let insertEventSQL = """
        INSERT INTO event (id, case_ref, kind, at, date_only, note, source, recorded_at, supersedes)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING
        """

    /// Withdrawals are rows of their own: the event itself is never edited.
    static func insertWithdrawal(_ db: Database, _ eventID: String, reason: String, actor: String, now: Instant) throws {
        try db.cachedStatement(sql: "INSERT INTO withdrawal (event_id, at, reason, actor) VALUES (?, ?, ?, ?)")
            .execute(arguments: [eventID, now.seconds, reason, actor])
    }

    /// A case's opening time and whether it is closed.
    static func caseBounds(_ db: Database, _ ref: String) throws -> (opened: Int?, closed: Bool) {
        guard let c = try Row.fetchOne(try db.cachedStatement(sql: "SELECT opened_at, closed_at FROM child_case WHERE ref = ?"), arguments: [ref]) else {
            throw Failure("unknown case '\(ref)'")
        }
        return (c[0], (c[1] as Int?) != nil)
    }

    /// Records an event. Errors: unknown or closed case, unknown kind, before the case opened, a duplicate id,
    /// or a correction of an unknown event.
    public func record(_ e: CaseEvent, source: String, actor: String, now: Instant) throws {
        try write { db in
            try self.insertEvent(db, e, source: source, actor: actor, now: now, ruleSet: ruleSet)
            try Store.recompute(db, e.caseRef, evaluator: Evaluator(ruleSet: ruleSet))
        }
    }

    /// Inserts one event after checking it; returns false when the identical event is already recorded.
    @discardableResult
    func insertEvent(
        _ db: Database, _ e: CaseEvent, source: String, actor: String, now: Instant, ruleSet: RuleSet, audited: Bool = true,
        fast: ImportCache? = nil
    ) throws -> Bool {
        guard ruleSet.eventKind(e.kind) != nil else {
            throw Failure("unknown event '\(e.kind)'\(didYouMean(e.kind, ruleSet.vocabulary.events.map(\.name)))")
        }
        let bounds = try fast?.bounds(db, e.caseRef) ?? Store.caseBounds(db, e.caseRef)
        if bounds.closed { throw Failure("case '\(e.caseRef)' is closed") }
        if let opened = bounds.opened, e.at.seconds < opened {
            throw Failure("the event is dated \(ruleSet.zone.iso8601(e.at)), before case '\(e.caseRef)' was opened (\(ruleSet.zone.iso8601(Instant(seconds: opened))))")
        }
        if let s = e.supersedes {
            guard let target = try String.fetchOne(try db.cachedStatement(sql: "SELECT case_ref FROM event WHERE id = ?"), arguments: [s]) else {
                throw Failure("event '\(e.id)' corrects '\(s)', which is not recorded")
            }
            guard target == e.caseRef else { throw Failure("event '\(e.id)' corrects '\(s)', which belongs to another case") }
        }
        let insert = try fast?.events ?? FastInsert(db, sql: Store.insertEventSQL)
        let inserted = try insert.bind(e.id).bind(e.caseRef).bind(e.kind).bind(e.at.seconds).bind(e.dateOnly).bind(e.note)
            .bind(source).bind(now.seconds).bind(e.supersedes).run()
        if inserted == 0 {
            // Already recorded: the same event again is fine (a re-import); different content is an error.
            let old = Store.eventFrom(try Row.fetchOne(try db.cachedStatement(
                sql: "SELECT \(Store.eventColumns) FROM event e LEFT JOIN withdrawal w ON w.event_id = e.id WHERE e.id = ?"),
                arguments: [e.id])!)
            if old.caseRef == e.caseRef && old.kind == e.kind && old.at == e.at && old.supersedes == e.supersedes {
                // The source may since have marked it withdrawn (a later export).
                if e.withdrawn && !old.withdrawn {
                    try Store.insertWithdrawal(db, e.id, reason: "withdrawn in \(source)", actor: actor, now: now)
                    fast?.forget(e.caseRef)
                    return true
                }
                return false
            }
            throw Failure("event '\(e.id)' is already recorded with different content (\(old.kind) on \(old.caseRef) at \(ruleSet.zone.iso8601(old.at)))")
        }
        if e.withdrawn { try Store.insertWithdrawal(db, e.id, reason: "withdrawn in \(source)", actor: actor, now: now) }
        try fast?.added(db, e)
        if audited {
            try audit(db, at: now, actor: actor, action: e.supersedes == nil ? "event.record" : "event.correct",
                subject: "case:\(e.caseRef)", detail: "\(e.id) \(e.kind) at \(e.at.seconds)\(e.supersedes.map { " corrects \($0)" } ?? "")")
        }
        return true
    }

    /// Withdraws an event: it stays in the history but no longer counts.
    public func withdraw(eventID: String, reason: String, actor: String, now: Instant) throws {
        guard !reason.trimmingSpaces.isEmpty else { throw Failure("give a reason for withdrawing the event") }
        try write { db in
            guard let row = try Row.fetchOne(
                try db.cachedStatement(sql: "SELECT e.case_ref, w.at FROM event e LEFT JOIN withdrawal w ON w.event_id = e.id WHERE e.id = ?"),
                arguments: [eventID])
            else {
                throw Failure("unknown event '\(eventID)'")
            }
            guard (row[1] as Int?) == nil else { throw Failure("event '\(eventID)' is already withdrawn") }
            let ref: String = row[0]
            try Store.insertWithdrawal(db, eventID, reason: reason, actor: actor, now: now)
            try self.audit(db, at: now, actor: actor, action: "event.withdraw", subject: "case:\(ref)", detail: "\(eventID): \(reason)")
            try Store.recompute(db, ref, evaluator: Evaluator(ruleSet: ruleSet))
        }
    }
}
