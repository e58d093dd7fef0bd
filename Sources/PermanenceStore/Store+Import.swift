@preconcurrency import Crypto
import Foundation
import GRDB
import PermanenceCore

/// Importing CSV exports from the case management system: all or nothing, idempotent, streaming.
extension Store {
    /// The kinds of CSV file the store imports.
    public enum ImportKind: String, Sendable, CaseIterable {
        case events, cases, workers, assignments

        /// The kind a header names, if any.
        public static func detect(_ header: CSVParser.Record) -> ImportKind? {
            if EventTable.matches(header) { return .events }
            if AssignmentTable.matches(header) { return .assignments }
            if WorkerTable.matches(header) { return .workers }
            if CaseTable.matches(header) { return .cases }
            return nil
        }
    }

    /// What an import did.
    public struct ImportReport: Sendable {
        public let file: String
        public let kind: ImportKind
        public let rows: Int
        /// Rows that changed the store; the rest were already there (a re-import).
        public let changed: Int
        public let casesRecomputed: Int
        /// Rows it added that count for nothing where they stand (a review while the child was not looked
        /// after), one line each: imported all the same, as the record says, but someone should look.
        public var warnings: [String] = []
    }

    /// Imports one CSV file in a single transaction: `importFiles` with one file.
    public func importFile(_ path: String, kind requested: ImportKind? = nil, actor: String, now: Instant) throws(CSVErrors)
        -> ImportReport
    {
        try importFiles([path], kind: requested, actor: { _ in actor }, now: now)[0]
    }

    /// Imports CSV files in a single transaction, all or nothing: any bad row in any file rejects them all,
    /// with every problem listed as `file:line: column: message`, and the store is unchanged. Files are
    /// applied workers first, then cases, assignments and events (so `import *.csv` works whatever the
    /// names), each in the order given within its kind. Rows already in the store (same id, or same
    /// content) are skipped, so re-importing a file or an overlapping export adds nothing twice. Each file
    /// is read in chunks, so memory does not grow with its size; each gets its own audit entry, with
    /// `actor(path)` as the actor.
    public func importFiles(_ paths: [String], kind requested: ImportKind? = nil, actor: (String) -> String, now: Instant) throws(CSVErrors)
        -> [ImportReport]
    {
        // Every file's header and kind first: a file that cannot be read or told rejects the lot before
        // anything is written. The readers go on from there (a pipe cannot be read twice).
        var issues: [CSVIssue] = []
        var files: [(reader: CSVFileReader, header: CSVParser.Record, kind: ImportKind)] = []
        for path in paths {
            do throws(CSVErrors) {
                var reader = try CSVFileReader(path)
                let (header, kind) = try reader.header(requested)
                files.append((reader, header, kind))
            } catch {
                // A file gone meanwhile is passing only for the inbox's one file at a time.
                if error.isTemporary && paths.count == 1 { throw error }
                issues += error.issues
            }
        }
        if !issues.isEmpty { throw CSVErrors(issues) }
        // Every row of every regular file is read and checked, on a thread of its own, before anything written
        // is kept: a file whose rows are malformed, name unknown events or cases, or give bad dates is refused
        // in the time it takes to read it, however far down the problem is.
        let check = ImportPrecheck(store: self, files: files.map { ($0.reader.path, $0.kind) })
        let order: [ImportKind] = [.workers, .cases, .assignments, .events]
        let plan = files.indices.sorted { (order.firstIndex(of: files[$0].kind)!, $0) < (order.firstIndex(of: files[$1].kind)!, $1) }
        var reports: [ImportReport?] = Array(repeating: nil, count: paths.count)
        let evaluator = Evaluator(ruleSet: ruleSet)
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    // One cache, so one revision, for every case the transaction recomputes. (No savepoint here: the
                    // cases its events go to are followed in memory.)
                    let cache = try ImportCache(
                        db, followsEvents: true, indexes: DeadlineIndexes(firstLook: self.deadlineIndexesFirstLook.load(ordering: .relaxed)))
                    var affected = Set<String>()
                    var fresh = FreshEvents()
                    var done: [FileDone] = []
                    for i in plan {
                        if issues.count >= 1000 { break }  // enough to act on
                        do {
                            done.append(try importRows(
                                &files[i].reader, header: files[i].header, kind: files[i].kind, db: db, cache: cache,
                                evaluator: evaluator, affected: &affected, fresh: &fresh, issues: &issues, check: check, now: now))
                        } catch let error as CSVErrors where !error.isTemporary {
                            issues += error.issues
                        }
                    }
                    guard issues.isEmpty else { return .rollback }
                    // Nothing is kept until every row has passed the check.
                    if check.wait() != nil { return .rollback }
                    for ref in affected.sorted() {
                        fresh.check(try Store.recompute(db, ref, evaluator: evaluator, cache: cache), ruleSet: ruleSet)
                        try cache.indexes.look(db)
                    }
                    try self.restoreDeadlineIndexes(cache.indexes, db)
                    // Each file's audit entry and report count the cases it changed, each recomputed as the file
                    // went or at the end (a case two files touched counts for both).
                    let warnings = fresh.warnings
                    for (i, d) in zip(plan, done) {
                        let cases = d.touched.count
                        try self.audit(db, at: now, actor: actor(d.path), action: "import.\(d.kind.rawValue)",
                            subject: "file:\((d.path as NSString).lastPathComponent)",
                            detail: "sha256=\(d.digest) rows=\(d.rows) changed=\(d.changed) cases=\(cases)")
                        reports[i] = ImportReport(file: d.path, kind: d.kind, rows: d.rows, changed: d.changed, casesRecomputed: cases,
                                                  warnings: warnings[d.path] ?? [])
                    }
                    return .commit
                }
            }
        } catch {
            // The check's problems first, as if it had run alone before the import: they need no store (a bad
            // file is refused as bad even when the store was busy).
            if let problems = check.wait() { throw problems }
            throw Store.importFailure(error, paths: paths)
        }
        if let problems = check.wait() { throw problems }
        guard issues.isEmpty else { throw CSVErrors(issues) }
        return reports.map { $0! }
    }

    /// Reads each regular file once more (a pipe cannot be read twice, and is checked as it is applied) and
    /// decodes its event and case rows without the store: every problem that needs no write is found here,
    /// up to 1000. An event's case must be in the store or in a cases file of the same import.
    func precheck(_ files: [(path: String, kind: ImportKind)]) throws(CSVErrors) {
        let regular = files.filter { f in
            var st = stat()
            return (f.kind == .events || f.kind == .cases) && stat(f.path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        }
        guard !regular.isEmpty else { return }
        // A cases file that cannot be read twice (a pipe) opens cases this pass cannot see: their events are
        // checked as they are applied.
        let casesUnseen = files.contains { f in f.kind == .cases && !regular.contains { $0.path == f.path } }
        var issues: [CSVIssue] = []
        var known: Set<String>?
        var importedCases = Set<String>()
        for f in regular.sorted(by: { ($0.kind == .cases ? 0 : 1) < ($1.kind == .cases ? 0 : 1) }) where issues.count < 1000 {
            var reader = try CSVFileReader(f.path, hashing: false)
            let (header, _) = try reader.header(f.kind)
            if f.kind == .cases {
                let table = try CaseTable(header: header, file: f.path, ruleSet: ruleSet)
                while let record = try reader.next(), issues.count < 1000 {
                    if record.line % 1024 == 0 { try checkInterrupted([f.path]) }
                    // A refused row still names its case: its events are not also reported as of an unknown case.
                    if let c = table.decode(record, issues: &issues) { importedCases.insert(c.reference) } else if let ref = table.reference(record) { importedCases.insert(ref) }
                }
                continue
            }
            let table = try EventTable(header: header, file: f.path, ruleSet: ruleSet)
            if known == nil {
                do {
                    known = Set(try pool.read { db in try String.fetchAll(db, sql: "SELECT ref FROM child_case") })
                } catch {
                    throw Store.importFailure(error, paths: files.map(\.path))
                }
            }
            while let record = try reader.next(), issues.count < 1000 {
                if record.line % 1024 == 0 { try checkInterrupted([f.path]) }
                guard let e = table.decode(record, issues: &issues) else { continue }
                if !casesUnseen && !known!.contains(e.caseRef) && !importedCases.contains(e.caseRef) {
                    issues.append(CSVIssue(file: f.path, line: record.line, column: "case_ref",
                        message: "unknown case '\(e.caseRef)'; open the case first (permanenced case open, or a cases file)"))
                }
            }
        }
        if !issues.isEmpty { throw CSVErrors(issues) }
    }

    /// What an import that failed other than by a problem in its files says: the store busy past its
    /// timeout, or full, is passing (nothing was written, and the same files can be tried again); anything
    /// else the store refused is put against the files.
    static func importFailure(_ error: any Error, paths: [String]) -> CSVErrors {
        if let e = error as? CSVErrors { return e }
        let files = paths.joined(separator: ", ")
        if let e = error as? DatabaseError, isPassing(e) {
            return CSVErrors([CSVIssue(file: files, line: 0, column: "", message: "the store could not be written (\(e)); nothing was imported")], temporary: true)
        }
        return CSVErrors([CSVIssue(file: files, line: 0, column: "", message: "\(error)")])
    }

    /// What one file of an import did, for its audit entry and report.
    private struct FileDone {
        let path: String
        let kind: ImportKind
        let rows: Int
        let changed: Int
        /// Every case the file changed.
        let touched: Set<String>
        let digest: String
    }

    /// Applies one file's rows inside the open transaction; problems go to `issues` (the caller rolls back).
    /// Cases whose rows are done are recomputed as the file goes (exports come grouped by case, so their
    /// pages are still in the cache); the rest stay in `affected` for the end of the transaction. A file not
    /// grouped by case (sorted by date, say: a case whose rows were done comes back) has its cases recomputed
    /// at the end only, from then on, so none is recomputed more than twice whatever the order of the rows.
    // swiftlint:disable:next function_parameter_count
    private func importRows(
        _ file: inout CSVFileReader, header: CSVParser.Record, kind: ImportKind, db: Database, cache: ImportCache,
        evaluator: Evaluator, affected: inout Set<String>, fresh: inout FreshEvents, issues: inout [CSVIssue], check: ImportPrecheck,
        now: Instant
    ) throws -> FileDone {
        let path = file.path
        cache.startFile()
        var rows = 0
        var changed = 0
        var touched = Set<String>()
        /// Cases recomputed as the file went; one of them coming back means the file is not grouped by case.
        var recomputedEarly = Set<String>()
        var grouped = true
        var importer = try RowImporter(kind: kind, header: header, file: path, store: self, db: db, now: now, cache: cache, evaluator: evaluator)
        var current: String?
        /// The case the last changed row added to `touched` and `affected` (still in both).
        var lastAdded: String?
        while let record = try file.next() {
            rows += 1
            if rows % 1024 == 0 {
                try checkInterrupted([path])
                if check.failed { throw ImportPrecheck.Stop() }
            }
            do {
                let before = issues.count
                defer { if kind == .cases, issues.count > before, let ref = importer.cases?.reference(record) { fresh.refused.insert(ref) } }
                if let refs = try importer.apply(record, issues: &issues) {
                    if let e = importer.lastEvent { fresh.add(e, line: record.line, file: path) }
                    changed += 1
                    switch refs {
                    case .one(let ref) where ref == lastAdded:
                        break  // the rows of one case come together: it is in both sets already
                    case .one(let ref):
                        touched.insert(ref)
                        if !importer.evaluatedAlready { affected.insert(ref) }
                        lastAdded = ref
                    case .many(let set):
                        touched.formUnion(set)
                        affected.formUnion(set)
                        lastAdded = nil
                    }
                }
            } catch let error as Failure {
                // An event of a case whose own row in a cases file was refused: that row is the problem, reported
                // once, not again as an unknown case for each of its events.
                if !(error.description.hasPrefix("unknown case") && importer.lastCase.map(fresh.refused.contains) == true) {
                    issues.append(CSVIssue(file: path, line: record.line, column: importer.blame(error), message: error.description))
                }
            }
            if issues.count >= 1000 { break }  // enough to act on
            try cache.indexes.look(db)
            // (Rolled back with everything else if a later row is bad.)
            if issues.isEmpty, let ref = importer.lastCase, ref != current {
                if grouped && recomputedEarly.contains(ref) { grouped = false }
                if grouped, let done = current, affected.remove(done) != nil {
                    if lastAdded == done { lastAdded = nil }
                    fresh.check(try Store.recompute(db, done, evaluator: evaluator, cache: cache), ruleSet: ruleSet)
                    recomputedEarly.insert(done)
                }
                current = ref
            }
        }
        issues += try importer.finish()
        return FileDone(path: path, kind: kind, rows: rows, changed: changed, touched: touched, digest: file.digest())
    }
}

/// What an import learns as it goes: the events it added, by case, until their case is recomputed (then those
/// that count for nothing where they stand become warnings against their file and line), and the cases whose
/// own row was refused. A file whose rows come back to a case later has that case checked again on the fuller
/// history, its earlier warnings with it. Only the events of cases not yet recomputed, and the warnings, are
/// kept: memory stays flat for an export grouped by case.
struct FreshEvents {
    private typealias Added = (id: String, line: Int, file: String)
    private var pending: [String: [Added]] = [:]
    /// The latest check's warnings, by case.
    private var found: [String: [(added: Added, text: String)]] = [:]
    /// Cases whose row in a cases file was refused: their events are not also reported as of an unknown case.
    var refused = Set<String>()

    mutating func add(_ e: CaseEvent, line: Int, file: String) {
        pending[e.caseRef, default: []].append((e.id, line, file))
    }

    /// Looks at the new events of a case just recomputed (nothing to do for a case without any).
    mutating func check(_ evaluation: CaseEvaluation?, ruleSet: RuleSet) {
        guard let evaluation else { return }
        let ref = evaluation.caseRecord.reference
        let earlier = found.removeValue(forKey: ref)?.map(\.added) ?? []
        let added = (pending.removeValue(forKey: ref) ?? []) + earlier
        guard !added.isEmpty else { return }
        let uncounted = UncountedEvents(ruleSet: ruleSet).find(in: evaluation)
        guard !uncounted.isEmpty else { return }
        let reasons = Dictionary(uncounted.map { ($0.event.id, $0) }, uniquingKeysWith: { a, _ in a })
        let warned = added.compactMap { a in
            reasons[a.id].map { u in (a, "\(a.file):\(a.line): \(u.event.kind) for case \(u.event.caseRef) counts for nothing: \(u.reason)") }
        }
        if !warned.isEmpty { found[ref] = warned }
    }

    /// Warning lines by file, in line order.
    var warnings: [String: [String]] {
        var out: [String: [(Int, String)]] = [:]
        for list in found.values { for w in list { out[w.added.file, default: []].append((w.added.line, w.text)) } }
        return out.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) }
    }
}

/// One CSV file read in chunks of 1 MiB, its records parsed as they come and its bytes hashed for the
/// audit log.
struct CSVFileReader {
    let path: String
    private let handle: FileHandle
    private var parser = CSVParser()
    /// swift-crypto's SHA-256 (BoringSSL's, in assembly): the core's own, in plain Swift, took 1.4% of a
    /// large import's time on its own.
    private var sha = Crypto.SHA256()
    private let hashing: Bool
    private var pending: [CSVParser.Record] = []
    private var finished = false
    private var header: CSVParser.Record?

    /// `hashing`: keep the SHA-256 of the bytes for the audit log (not for a pass that only checks the rows).
    init(_ path: String, hashing: Bool = true) throws(CSVErrors) {
        self.path = path
        self.hashing = hashing
        guard let handle = FileHandle(forReadingAtPath: path) else {
            // Gone (moved away meanwhile): try again later, when it will have been forgotten. There but not
            // readable: the file's problem, reported as such.
            let exists = FileManager.default.fileExists(atPath: path)
            throw CSVErrors([CSVIssue(file: path, line: 0, column: "",
                message: exists ? "cannot open the file: it is there but cannot be read (check its owner and mode)" : "the file is gone")],
                temporary: !exists)
        }
        self.handle = handle
    }

    /// The next record, reading another chunk when needed.
    mutating func next() throws(CSVErrors) -> CSVParser.Record? {
        while pending.isEmpty && !finished {
            let chunk = handle.readData(ofLength: 1 << 20)
            do {
                if chunk.isEmpty {
                    finished = true
                    try? handle.close()
                    if let last = try parser.finish() { pending.append(last) }
                } else {
                    if hashing { sha.update(data: chunk) }
                    // Over the bytes themselves: iterating `Data` a byte at a time costs as much as the parse.
                    var fed: Result<[CSVParser.Record], CSVParser.ParseError> = .success([])
                    chunk.withUnsafeBytes { bytes in
                        do throws(CSVParser.ParseError) { fed = .success(try parser.feed(bytes)) } catch { fed = .failure(error) }
                    }
                    pending = try fed.get()
                }
            } catch {
                let (column, message) = error.issue(in: header)
                throw CSVErrors([CSVIssue(file: path, line: error.line, column: column, message: message)])
            }
            pending.reverse()
        }
        let r = pending.popLast()
        if header == nil { header = r }
        return r
    }

    /// The header row, and what the file holds: `requested`, or what its header says.
    mutating func header(_ requested: Store.ImportKind?) throws(CSVErrors) -> (CSVParser.Record, Store.ImportKind) {
        guard let header = try next() else { throw CSVErrors([CSVIssue(file: path, line: 1, column: "", message: "empty file; expected a header row")]) }
        if let requested { return (header, requested) }
        guard let kind = Store.ImportKind.detect(header) else {
            throw CSVErrors([CSVIssue(file: path, line: header.line, column: "",
                message: "cannot tell what this file holds from its header; expected the columns of events "
                + "(case_ref,event,at), cases (case_ref,plan,calendar), workers (worker_id,name) or assignments "
                + "(case_ref,role,worker_id,from), or give --kind")])
        }
        return (header, kind)
    }

    /// SHA-256 of the bytes read, in hex.
    func digest() -> String { sha.finalize().withUnsafeBytes { Store.hex($0) } }
}

/// Prepared inserts and the last case looked up, for the duration of one import transaction.
final class ImportCache {
    let events: FastInsert
    let deadlines: FastInsert
    let reader: CaseReader
    let clearDeadlines: FastInsert
    let bumpRevision: FastInsert
    let auditLast: FastInsert
    let auditInsert: FastInsert
    let upsertCase: FastInsert
    let insertCase: FastInsert
    let insertAssignment: FastInsert
    /// The agendas' indexes, set aside while the transaction writes most of the deadline table.
    let indexes: DeadlineIndexes
    /// Workers known to exist (read once, at the first case row: after any workers file of the import).
    private var workers: Set<String>?
    /// The revision every case recomputed in this transaction gets.
    let revision: Int
    /// Cases this import is adding events to, each as read at its first event row, with the events added
    /// since: recomputing one then needs no read back of the rows just written. Exports come grouped by
    /// case, so a few at a time are enough; the oldest beyond that is read back when its time comes.
    /// Only for an import that writes no savepoint (a CSV import): one rolled back would leave events here
    /// that the store no longer has. Others read each case back, and remember only the last one's bounds.
    private let followsEvents: Bool
    /// Following cases in the file being read (until one comes back: see `followed`).
    private var following: Bool
    /// Cases followed so far in the file: one coming back after it was recomputed or dropped means the rows do not come
    /// grouped by case (an export sorted by date), and reading each again at its next row would cost its
    /// whole history every row; from then on, cases are read back only when recomputed.
    private var followed = Set<String>()
    private var states: [String: CaseState] = [:]
    private var stateOrder: [String] = []
    private static let statesKept = 16
    private var lastCase: (ref: String, bounds: (opened: Int?, closed: Bool))?
    /// Bounds of the cases read back in a CSV import while not following (see `bounds`).
    private var knownBounds: [String: (opened: Int?, closed: Bool)] = [:]

    private struct CaseState {
        /// The case's own row, read with its bounds.
        let row: CaseReader.CaseRow
        /// The whole case, read at its first event this import inserted (nil until then: a re-import whose
        /// rows are all there already reads no history).
        var stored: Store.StoredCase?
        /// Events inserted since, in the order they were (their `seq` order).
        var added: [CaseEvent] = []
    }

    /// `followsEvents`: keep the cases events are added to, and recompute them without reading them back
    /// (only where nothing in the transaction is rolled back to a savepoint).
    init(_ db: Database, followsEvents: Bool = false, indexes: DeadlineIndexes = DeadlineIndexes()) throws {
        self.followsEvents = followsEvents
        self.indexes = indexes
        following = followsEvents
        events = try FastInsert(db, sql: Store.insertEventSQL)
        deadlines = try FastInsert(db, sql: Store.insertDeadlineSQL)
        reader = try CaseReader(db)
        clearDeadlines = try FastInsert(db, sql: Store.clearDeadlinesSQL)
        bumpRevision = try FastInsert(db, sql: Store.setRevisionSQL)
        auditLast = try FastInsert(db, sql: "SELECT MAX(seq) FROM audit")
        auditInsert = try FastInsert(db, sql: Store.insertAuditSQL)
        upsertCase = try FastInsert(db, sql: Store.upsertCaseSQL)
        insertCase = try FastInsert(
            db, sql: "INSERT INTO child_case (ref, initials, plan, calendar, packs, revision) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(ref) DO NOTHING")
        insertAssignment = try FastInsert(db, sql: "INSERT INTO assignment (case_ref, role, worker_id, from_at, to_at) VALUES (?, ?, ?, ?, NULL)")
        revision = (try Int.fetchOne(db, sql: "SELECT IFNULL(MAX(revision), 0) + 1 FROM child_case")) ?? 1
    }

    /// Whether a worker exists, from a set read once (a worker added later in the same transaction is
    /// looked up in the store).
    func workerExists(_ db: Database, _ id: String) throws -> Bool {
        if workers == nil { workers = Set(try String.fetchAll(db, sql: "SELECT id FROM worker")) }
        if workers!.contains(id) { return true }
        guard try Store.workerExists(db, id) else { return false }
        workers!.insert(id)
        return true
    }

    /// Plans, calendars and packs (as a cases file gives them) whose cases have no deadline to store until
    /// their first event: every rule waits for its anchor.
    private var nothingWithoutEvents = Set<ApplicabilityKey>()

    /// A case opened with these plan, calendar and packs is known to have no deadline to store yet.
    func storesNothingWithoutEvents(_ c: ChildCase) -> Bool {
        nothingWithoutEvents.contains(ApplicabilityKey(c))
    }

    /// What the evaluation of a case opened without events stored.
    func noted(_ c: ChildCase, storesNothing: Bool) {
        if storesNothing { nothingWithoutEvents.insert(ApplicabilityKey(c)) }
    }

    /// A case's opening time and whether it is closed, from the case as read at its first event row (kept,
    /// with `followsEvents`, for its recompute).
    func bounds(_ db: Database, _ ref: String) throws -> (opened: Int?, closed: Bool) {
        if let s = states[ref] { return s.row.bounds }
        if following && !followed.insert(ref).inserted {
            following = false
            states = [:]
            stateOrder = []
        }
        guard following else {
            // Rows not grouped by case in a CSV import (no savepoint, and no event row opens or closes a case)
            // come back to the same cases again and again: each case's bounds are read once. Elsewhere (a
            // savepoint may take a case back out) only the last case's are kept.
            if followsEvents {
                if let b = knownBounds[ref] { return b }
                let b = try caseRow(ref).bounds
                knownBounds[ref] = b
                return b
            }
            if let lastCase, lastCase.ref == ref { return lastCase.bounds }
            let b = try caseRow(ref).bounds
            lastCase = (ref, b)
            return b
        }
        let row = try caseRow(ref)
        if stateOrder.count >= Self.statesKept { states.removeValue(forKey: stateOrder.removeFirst()) }
        states[ref] = CaseState(row: row)
        stateOrder.append(ref)
        return row.bounds
    }

    private func caseRow(_ ref: String) throws -> CaseReader.CaseRow {
        guard let row = try reader.row(ref) else { throw Store.Failure("unknown case '\(ref)'") }
        return row
    }

    /// A file of the import begins: its cases are followed until one comes back. (What was followed in an
    /// earlier file and not yet recomputed stays followed.)
    func startFile() {
        following = followsEvents
        followed = []
    }

    /// An event of a case asked about with `bounds` was inserted (with its withdrawal, if it came withdrawn).
    /// The first one reads the case, this event included.
    func added(_ db: Database, _ e: CaseEvent) throws {
        // In place: a copy of the state taken out and put back would copy its list of events at every row.
        guard let loaded = states[e.caseRef].map({ $0.stored != nil }) else { return }
        if loaded {
            states[e.caseRef]!.added.append(e)
        } else {
            states[e.caseRef]!.stored = try reader.load(e.caseRef, row: states[e.caseRef]!.row)
        }
    }

    /// A case changed other than by an inserted event (an event already recorded was withdrawn): it is read
    /// back when recomputed.
    func forget(_ ref: String) {
        guard states.removeValue(forKey: ref) != nil else { return }
        stateOrder.removeAll { $0 == ref }
    }

    /// The case as it stands now, if this import followed every change to it since reading it (and forgets
    /// it: a case recomputed is read afresh if more of its rows come): its events in the store's order, by
    /// time and then as recorded.
    func take(_ ref: String) -> Store.StoredCase? {
        guard let state = states.removeValue(forKey: ref) else { return nil }
        stateOrder.removeAll { $0 == ref }
        guard var stored = state.stored else { return nil }
        guard !state.added.isEmpty else { return stored }
        let all = stored.events + state.added
        stored.events = all.indices.sorted { all[$0].at != all[$1].at ? all[$0].at < all[$1].at : $0 < $1 }.map { all[$0] }
        return stored
    }
}

/// Applies the rows of one file to the open transaction.
struct RowImporter {
    let kind: Store.ImportKind
    let file: String
    let store: Store
    let db: Database
    let now: Instant
    var events: EventTable?
    var cases: CaseTable?
    var workers: WorkerTable?
    var assignments: AssignmentTable?
    /// The case of the last event row read (event files only).
    var lastCase: String?
    /// The event the last row added (nil when it added none), for the warnings about it.
    var lastEvent: CaseEvent?
    /// The last row opened a case and evaluated it (it has no events yet): nothing to recompute.
    var evaluatedAlready = false
    let cache: ImportCache
    let evaluator: Evaluator
    let actor: String
    /// The file's name, recorded as each event's source.
    let source: String
    /// Workers whose manager must exist once the whole file is in (a manager may come later in the file).
    var managers: [(line: Int, worker: String, manager: String)] = []
    /// The line each worker or case first appeared on in this file: a second row for it is an error, not
    /// "last one wins".
    var seen: [String: Int] = [:]

    init(
        kind: Store.ImportKind, header: CSVParser.Record, file: String, store: Store, db: Database, now: Instant, cache: ImportCache,
        evaluator: Evaluator
    ) throws {
        self.kind = kind
        self.evaluator = evaluator
        self.file = file
        self.store = store
        self.db = db
        self.now = now
        self.cache = cache
        self.source = (file as NSString).lastPathComponent
        self.actor = "import:\(source)"
        switch kind {
        case .events: events = try EventTable(header: header, file: file, ruleSet: store.ruleSet)
        case .cases: cases = try CaseTable(header: header, file: file, ruleSet: store.ruleSet)
        case .workers: workers = try WorkerTable(header: header, file: file, ruleSet: store.ruleSet)
        case .assignments: assignments = try AssignmentTable(header: header, file: file, ruleSet: store.ruleSet)
        }
        if kind == .workers { try db.execute(sql: "PRAGMA defer_foreign_keys = ON") }
    }

    /// The column a store error is about, for the message.
    func blame(_ error: Store.Failure) -> String {
        let text = error.description
        if text.hasPrefix("unknown case") || text.contains("is closed") { return "case_ref" }
        if text.hasPrefix("unknown worker") || text.hasPrefix("unknown manager") { return kind == .workers ? "manager_id" : "worker_id" }
        if text.hasPrefix("unknown event") { return "event" }
        if text.contains("before case") { return "at" }
        if text.hasPrefix("event '") { return "event_id" }
        return ""
    }

    /// Applies one row; returns the cases it changed (nil when it changed nothing), or records issues.
    /// The cases a row changed: one (without a set to allocate for each row), or several.
    enum Changed {
        case one(String)
        case many(Set<String>)
    }

    mutating func apply(_ record: CSVParser.Record, issues: inout [CSVIssue]) throws -> Changed? {
        evaluatedAlready = false
        switch kind {
        case .events:
            lastEvent = nil
            guard let e = events!.decode(record, issues: &issues) else { return nil }
            lastCase = e.caseRef
            let inserted = try store.insertEvent(
                db, e, source: source, actor: actor, now: now, ruleSet: evaluator.ruleSet, audited: false, fast: cache)
            if inserted { lastEvent = e }
            return inserted ? .one(e.caseRef) : nil
        case .cases:
            guard let c = cases!.decode(record, issues: &issues) else { return nil }
            if let first = seen[c.reference] {
                issues.append(CSVIssue(file: file, line: record.line, column: "case_ref",
                    message: "case '\(c.reference)' appears twice in this file (first at line \(first)); give each case once"))
                return nil
            }
            seen[c.reference] = record.line
            // A case new to the store is inserted at once (with the transaction's revision): one statement, not a
            // look-up first. Only one already there is read, to see what the row changes. (A later problem in the
            // row rolls the import back with everything else.)
            let opened = try cache.insertCase.bind(c.reference).bind(c.initials).bind(c.plan).bind(c.calendar)
                .bind(c.packs.joined(separator: " ")).bind(cache.revision).run() == 1
            let old = opened ? nil : try Store.loadCase(db, c.reference, cache: cache.reader)
            let caseChanged = old == nil || old!.record.plan != c.plan || old!.record.calendar != c.calendar || old!.record.packs != c.packs
                || old!.record.initials != c.initials
            let roles = c.assignments.sorted(by: { $0.key < $1.key }).filter { old?.record.assignments[$0.key] != $0.value }
            guard caseChanged || !roles.isEmpty else { return nil }
            if !roles.isEmpty && old?.closedAt != nil { throw Store.Failure("case '\(c.reference)' is closed") }
            for (_, worker) in roles where try !cache.workerExists(db, worker) { throw Store.Failure("unknown worker '\(worker)'") }
            if !opened && caseChanged {
                try cache.upsertCase.bind(c.reference).bind(c.initials).bind(c.plan).bind(c.calendar).bind(c.packs.joined(separator: " "))
                    .bind(old?.openedAt?.seconds).run()
            }
            for (role, worker) in roles {
                if opened {
                    // A case this row opens has no assignment to end or repeat.
                    try cache.insertAssignment.bind(c.reference).bind(role).bind(worker).bind(now.seconds).run()
                } else {
                    try store.assign(db, caseRef: c.reference, role: role, worker: worker, from: now, to: nil, actor: actor, now: now, audited: false)
                }
            }
            // One audit entry for the row: the case as it now stands and the roles it assigned.
            // `plan=P calendar=C packs=A,B assigned ROLE=WORKER ... from T`, written into one string made once (an
            // import writes one for every row).
            var detail = ""
            detail.reserveCapacity(64 + c.packs.count * 24 + roles.count * 32)
            detail += "plan="
            detail += c.plan
            detail += " calendar="
            detail += c.calendar
            detail += " packs="
            for (k, pack) in c.packs.enumerated() {
                if k > 0 { detail += "," }
                detail += pack
            }
            if !roles.isEmpty {
                detail += " assigned"
                for (role, worker) in roles {
                    detail += " "
                    detail += role
                    detail += "="
                    detail += worker
                }
                detail += " from "
                detail += String(now.seconds)
            }
            try store.audit(db, at: now, actor: actor, action: opened ? "case.open" : caseChanged ? "case.update" : "case.assign",
                subject: "case:\(c.reference)", detail: detail, fast: cache)
            if opened {
                // A case this row opens has no events and no deadlines yet: evaluated here, as stored, rather
                // than read back (a later events file of the import recomputes it again). Without events a
                // case's deadlines depend only on its plan, calendar and packs: once a case of those is known
                // to have none to store (every rule waits for its anchor), the next is not evaluated again.
                if !cache.storesNothingWithoutEvents(c) {
                    let stored = ChildCase(reference: c.reference, initials: c.initials, plan: c.plan, calendar: c.calendar, packs: c.packs,
                                           assignments: Dictionary(uniqueKeysWithValues: roles.map { ($0.key, $0.value) }))
                    let evaluation = evaluator.evaluate(stored, events: [])
                    cache.indexes.wrote(try Store.insertDeadlines(cache.deadlines, evaluation, evaluator.ruleSet))
                    cache.noted(c, storesNothing: !evaluation.deadlines.contains(where: Store.isStored))
                }
                evaluatedAlready = true
            }
            return .one(c.reference)
        case .workers:
            guard let w = workers!.decode(record, issues: &issues) else { return nil }
            if let first = seen[w.id] {
                issues.append(CSVIssue(file: file, line: record.line, column: "worker_id",
                    message: "worker '\(w.id)' appears twice in this file (first at line \(first)); give each worker once"))
                return nil
            }
            seen[w.id] = record.line
            let worker = Worker(id: w.id, name: w.name, email: w.email, roles: w.roles, manager: nil, displayName: w.displayName)
            let old = try Store.fetchWorker(db, w.id)
            if let m = w.manager { managers.append((record.line, w.id, m)) }
            if old.map({ $0.name == w.name && $0.email == w.email && $0.roles == w.roles && $0.manager == w.manager && $0.displayName == w.displayName }) == true {
                return nil
            }
            try db.cachedStatement(sql: """
                    INSERT INTO worker (id, name, email, roles, manager_id, display_name) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email, roles = excluded.roles,
                        manager_id = excluded.manager_id, display_name = excluded.display_name
                    """).execute(arguments: [worker.id, worker.name, worker.email, worker.roles.joined(separator: " "), w.manager, w.displayName])
            try store.audit(db, at: now, actor: actor, action: old == nil ? "worker.add" : "worker.update",
                subject: "worker:\(w.id)", detail: "roles=\(w.roles.joined(separator: ",")) manager=\(w.manager ?? "-")")
            let owned = try String.fetchAll(try db.cachedStatement(sql: "SELECT DISTINCT case_ref FROM deadline WHERE owner_worker = ?"), arguments: [w.id])
            return .many(Set(owned))
        case .assignments:
            guard let a = assignments!.decode(record, issues: &issues) else { return nil }
            let inserted = try store.assign(db, caseRef: a.caseRef, role: a.role, worker: a.worker, from: a.from, to: a.to, actor: actor, now: now)
            return inserted ? .one(a.caseRef) : nil
        }
    }

    /// Checks that need the whole file (managers defined later in it).
    func finish() throws -> [CSVIssue] {
        var out: [CSVIssue] = []
        for m in managers {
            if m.manager == m.worker {
                out.append(CSVIssue(file: file, line: m.line, column: "manager_id", message: "a worker cannot be their own manager"))
            } else if try !Store.workerExists(db, m.manager) {
                out.append(CSVIssue(file: file, line: m.line, column: "manager_id", message: "unknown manager '\(m.manager)'"))
            } else if let loop = try managerLoop(from: m.worker) {
                // Escalation climbs the managers: a loop would never reach anyone new.
                out.append(CSVIssue(file: file, line: m.line, column: "manager_id",
                    message: "managers go round in a circle: \(loop.joined(separator: " -> ")); escalation needs a top"))
            }
        }
        return out
    }

    /// The loop of managers starting at `worker`, as the store holds them with this file applied, if any.
    private func managerLoop(from worker: String) throws -> [String]? {
        var path = [worker]
        var current = worker
        let statement = try db.cachedStatement(sql: "SELECT manager_id FROM worker WHERE id = ?")
        while let next = try String.fetchOne(statement, arguments: [current]) {
            if let i = path.firstIndex(of: next) { return Array(path[i...]) + [next] }
            path.append(next)
            current = next
            if path.count > 10_000 { return path }
        }
        return nil
    }
}

extension Store {
    /// A failure that says nothing about the data: the store locked by another process past the busy
    /// timeout, the disk full, an I/O error. The same import may well succeed if tried again.
    static func isPassing(_ error: DatabaseError) -> Bool {
        let passing: [ResultCode] = [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_NOMEM, .SQLITE_CANTOPEN, .SQLITE_PROTOCOL, .SQLITE_INTERRUPT, .SQLITE_READONLY]
        return passing.contains(error.resultCode)
    }
}
