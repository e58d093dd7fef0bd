import Foundation
import GRDB
import PermanenceCore

/// Importing an SSDA903 extract (the DfE's children looked after return): every table in one transaction,
/// all or nothing; next month's extract applies what changed.
extension Store {
    /// The SSDA903 table a file's header row says it is, if it is one (the inbox tells them from its own
    /// formats this way).
    public static func ssda903Table(ofFile path: String) -> SSDA903Extract.Table? {
        guard var reader = try? CSVFileReader(path), let header = try? reader.next() else { return nil }
        return SSDA903Extract.Table.of(header)
    }

    /// What an SSDA903 import did.
    public struct SSDA903Report: Sendable {
        /// Each file, the table its header says it is, and its rows.
        public let files: [(path: String, table: SSDA903Extract.Table, rows: Int)]
        /// Cases opened for children new to the store.
        public let newCases: Int
        /// Events recorded for the first time.
        public let newEvents: Int
        /// Events whose date the extract changed: recorded as corrections of the stored ones (kept in the
        /// history, as `record --corrects` does).
        public let corrected: Int
        /// Events already in the store as the extract has them.
        public let unchanged: Int
        /// Events an earlier extract gave that this one no longer has, for children it still has: reported,
        /// not deleted (withdraw them with `permanenced withdraw` if they were wrong).
        public let disappeared: [String]
        /// `--lenient`: the children left out, and why.
        public let skipped: [CSVIssue]
        public let casesRecomputed: Int
        /// Children in the extract; of them, left out (`--lenient`) and imported with facts set aside.
        public var children = 0
        public var childrenLeftOut = 0
        public var childrenWithSetAside = 0
        /// `--lenient`: each fact set aside, with what was read instead (`action`).
        public var setAside: [CSVIssue] = []
    }

    /// The latest placement event (or placement end) of a case from a moment on, not withdrawn or corrected.
    static let currentPlacementSQL: String = {
        let kinds = (SSDA903Codes.placementEvents + ["placed", "placement-ended"]).map { "'\($0)'" }.joined(separator: ", ")
        return """
            SELECT e.kind FROM event e LEFT JOIN withdrawal w ON w.event_id = e.id
            WHERE e.case_ref = ? AND w.event_id IS NULL AND e.at >= ? AND e.kind IN (\(kinds))
              AND NOT EXISTS (SELECT 1 FROM event s WHERE s.case_ref = e.case_ref AND s.supersedes = e.id)
            ORDER BY e.at DESC, e.seq DESC LIMIT 1
            """
    }()

    /// Imports the tables of an SSDA903 extract, told apart by their headers, in one transaction. Every problem
    /// is named as `file:line: COLUMN: message` and, unless `lenient`, rejects the whole import with the store
    /// unchanged; with `lenient`, a child with a problem is left out and listed, and the rest is imported.
    /// A child becomes the case `prefix + CHILD`, opened if it is new with no plan (every plan's rules
    /// apply), the default calendar and its nation's statutory packs; a case already in the store keeps its
    /// plan, packs and workers.
    public func importSSDA903(_ paths: [String], prefix: String, lenient: Bool, actor: String, now: Instant) throws(CSVErrors)
        -> SSDA903Report
    {
        var extract = SSDA903Extract(prefix: prefix)
        var files: [(path: String, table: SSDA903Extract.Table, rows: Int)] = []
        var problems: [CSVIssue] = []
        var digest = SHA256()
        for path in paths {
            do throws(CSVErrors) {
                var reader = try CSVFileReader(path)
                guard let header = try reader.next() else {
                    throw CSVErrors([CSVIssue(file: path, line: 1, column: "", message: "empty file; expected the header row of an SSDA903 table")])
                }
                guard let table = SSDA903Extract.Table.of(header) else {
                    throw CSVErrors([CSVIssue(file: path, line: header.line, column: "",
                        message: "not an SSDA903 table: its columns are not those of any (Episodes: \(SSDA903Extract.Table.episodes.columns.joined(separator: ",")); Reviews: \(SSDA903Extract.Table.reviews.columns.joined(separator: ",")); see docs/ssda903.md)")])
                }
                // Handed over in batches: the extract keeps only the dates and codes, not the rows' text.
                var rows: [CSVParser.Record] = []
                var count = 0
                while let r = try reader.next() {
                    rows.append(r)
                    count += 1
                    if rows.count == 10_000 {
                        extract.add(table, header: header, rows: rows, file: path)
                        rows.removeAll(keepingCapacity: true)
                    }
                }
                extract.add(table, header: header, rows: rows, file: path)
                digest.update(Data(reader.digest().utf8))
                files.append((path, table, count))
            } catch {
                if error.isTemporary && paths.count == 1 { throw error }
                problems += error.issues
            }
        }
        if !problems.isEmpty { throw CSVErrors(problems) }
        guard files.contains(where: { $0.table == .episodes }) else {
            throw CSVErrors([CSVIssue(file: paths.joined(separator: ", "), line: 0, column: "", message: "no Episodes table among the files: the periods of care come from it")])
        }
        if !extract.issues.isEmpty && !lenient { throw CSVErrors(extract.issues) }
        // The tables supplied: an event from a table not in this import has not gone.
        let supplied = Set(files.map(\.table))
        /// Whether the table a set-aside fact came from (by its column, `903:REF:aside:COLUMN:DATE`) is supplied.
        func asideTableSupplied(_ id: String) -> Bool {
            let column = id.split(separator: ":").dropFirst(3).first.map(String.init) ?? ""
            switch column {
            case "REVIEW", "REVIEW_CODE": return supplied.contains(.reviews)
            case "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED": return supplied.contains(.placedAdoption)
            case "DATE_INT", "DATE_MATCH": return supplied.contains(.ad1)
            default: return supplied.contains(.episodes)
            }
        }
        func suppliedTable(ofSlot base: String) -> Bool {
            let kind = base.split(separator: ":").dropFirst(2).first.map(String.init) ?? ""
            switch kind {
            case "review": return supplied.contains(.reviews)
            // A start not in an earlier extract, now given by an older one: not a loss. A fact set aside is
            // withdrawn once an extract no longer sets it aside (below), never reported as gone.
            case "lac-before", "aside": return false
            case "bid", "match": return supplied.contains(.placedAdoption) || supplied.contains(.ad1)
            case "foster-carers": return supplied.contains(.ad1)
            default: return supplied.contains(.episodes)
            }
        }
        var newCases = 0, newEvents = 0, corrected = 0, unchanged = 0, recomputed = 0
        var refusedByStore: [CSVIssue] = []
        var disappeared: [String] = []
        var issues: [CSVIssue] = []
        var setAside: [CSVIssue] = []
        let zone = ruleSet.zone
        let calendar = ruleSet.configuration.defaultCalendar
        // The 903 holds the statutory record (periods, placements, orders, reviews), not a council's own
        // process: a new case gets its nation's statutory packs, not local procedures whose meetings the
        // extract cannot show (they would all look overdue).
        let jurisdiction = ruleSet.jurisdictions[calendar] ?? .england
        // National measures the 903 supports (the adoption scorecard) too, when they are among the default packs.
        let packs = ruleSet.packs.filter { p in
            (p.statutory || (p.ssda903 && (ruleSet.configuration.defaultPacks.isEmpty || ruleSet.configuration.defaultPacks.contains(p.id))))
                && (p.nations.isEmpty || p.nations.contains(jurisdiction))
        }.map(\.id)
        let evaluator = Evaluator(ruleSet: ruleSet)
        // The last day the extract covers (its latest date of any child): what an earlier import gave after it is
        // outside this extract, neither gone nor put right.
        let coverUntil = extract.lastDate.map { zone.startOfDay($0.adding(days: 1)).seconds - 1 } ?? Int.max
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    let cache = try ImportCache(db)
                    var rowIssues: [CSVIssue] = []
                    var gone = Set<String>()
                    // The period of care the store has open for a case, for a yearly return whose rows continue it.
                    func openPeriod(_ ref: String) throws -> SSDA903Extract.OpenPeriod? {
                        // As the engine's periods go: the first start after the last end (a start while a period
                        // is open starts nothing; the marker of a start not in the data is one).
                        let rows = try Row.fetchAll(try db.cachedStatement(sql: """
                            SELECT e.kind, e.at FROM event e LEFT JOIN withdrawal w ON w.event_id = e.id
                            WHERE e.case_ref = ? AND w.event_id IS NULL AND e.kind IN ('became-looked-after', 'looked-after-before',
                                'ceased-looked-after', 'adoption-order', 'special-guardianship-order', 'returned-home', 'turned-18')
                              AND NOT EXISTS (SELECT 1 FROM event s WHERE s.case_ref = e.case_ref AND s.supersedes = e.id)
                            ORDER BY e.at, e.seq
                            """), arguments: [ref])
                        var start: Int?, unknown = false
                        for r in rows {
                            let kind: String = r["kind"]
                            if kind == "became-looked-after" || kind == "looked-after-before" {
                                if start == nil { (start, unknown) = (r["at"], kind == "looked-after-before") }
                            } else {
                                start = nil
                            }
                        }
                        guard let start else { return nil }
                        // The placement the child is in: the latest placement (or its end) in the period.
                        let placement = try String.fetchOne(try db.cachedStatement(sql: Store.currentPlacementSQL), arguments: [ref, start])
                        return SSDA903Extract.OpenPeriod(start: zone.localDate(at: Instant(seconds: start)),
                                                         placement: placement == "placement-ended" ? nil : placement, startUnknown: unknown)
                    }
                    // Child by child, each in a savepoint: with --lenient, a child the store refuses (its case
                    // closed, or opened after the extract's dates) is left out whole and listed. Only one child's
                    // events are held at a time.
                    (issues, _, setAside) = try extract.forEachChild(lenient: lenient, openPeriod: openPeriod) { ref, mine in
                        // The import is refused whole once the store refused a child: write nothing more.
                        guard lenient || rowIssues.isEmpty else { return }
                        var counts = (cases: 0, new: 0, corrected: 0, unchanged: 0)
                        var bases = Set<String>()
                        var refused: [CSVIssue] = []
                        var fresh = false
                        try db.inSavepoint {
                            if try Store.loadCase(db, ref, cache: cache.reader) == nil {
                                fresh = true
                                try self.saveCase(db, ChildCase(reference: ref, plan: "", calendar: calendar, packs: packs), openedAt: nil,
                                    actor: actor, now: now, action: "case.open")
                                counts.cases += 1
                            }
                            for e in mine {
                                let base = "903:\(e.caseRef):\(e.slot)"
                                bases.insert(base)
                                let at = zone.startOfDay(e.date)
                                // The latest version of this event: the first, or its latest correction (`base~N`).
                                // (A case this import opened has none.)
                                let latest = fresh ? nil : try Row.fetchOne(try db.cachedStatement(sql: """
                                    SELECT e.id, e.kind, e.at, w.event_id IS NOT NULL AS withdrawn FROM event e LEFT JOIN withdrawal w ON w.event_id = e.id
                                    WHERE e.id = ? OR (e.id > ? AND e.id < ?) ORDER BY e.seq DESC LIMIT 1
                                    """), arguments: [base, base + "~", base + "~\u{10FFFF}"])
                                do {
                                    if let latest {
                                        // The same (and not withdrawn since: an extract that still has it brings it
                                        // back, as a correction, so the withdrawal stays in the history).
                                        if latest["kind"] as String == e.kind && latest["at"] as Int == at.seconds && !(latest["withdrawn"] as Bool) {
                                            counts.unchanged += 1
                                            continue
                                        }
                                        let id: String = latest["id"]
                                        let n = (id.split(separator: "~").last.flatMap { Int($0) } ?? 1) + 1
                                        let correction = CaseEvent(id: "\(base)~\(n)", caseRef: e.caseRef, kind: e.kind, at: at, dateOnly: true, note: e.note, supersedes: id)
                                        _ = try self.insertEvent(db, correction, source: "ssda903", actor: actor, now: now, ruleSet: ruleSet, audited: false, fast: cache)
                                        counts.corrected += 1
                                    } else {
                                        let event = CaseEvent(id: base, caseRef: e.caseRef, kind: e.kind, at: at, dateOnly: true, note: e.note)
                                        _ = try self.insertEvent(db, event, source: "ssda903", actor: actor, now: now, ruleSet: ruleSet, audited: false, fast: cache)
                                        counts.new += 1
                                    }
                                } catch let error as Failure {
                                    refused.append(CSVIssue(file: e.file, line: e.line, column: "CHILD", message: "child \(e.caseRef.dropFirst(prefix.count)): \(error.description)"))
                                }
                            }
                            return refused.isEmpty ? .commit : .rollback
                        }
                        guard refused.isEmpty else {
                            if lenient { refusedByStore += refused } else { rowIssues += refused }
                            return
                        }
                        newCases += counts.cases
                        newEvents += counts.new
                        corrected += counts.corrected
                        unchanged += counts.unchanged
                        // What an earlier extract gave and this one does not: reported, never deleted. Only from
                        // the time this extract covers for the child (a yearly return leaves out earlier years),
                        // and only from the tables it supplies.
                        if !fresh {
                            // A first row that continues a period (a yearly return) does not give again what an
                            // earlier extract said of that day (the order then in force): from the next day on.
                            let startsPeriod = mine.first.map { $0.kind == "became-looked-after" || $0.kind == "looked-after-before" } ?? true
                            let since = mine.first.map { zone.startOfDay(startsPeriod ? $0.date : $0.date.adding(days: 1)).seconds } ?? 0
                            // Up to the last day this extract covers: an older return (filling in a start) does not
                            // report what newer ones gave as gone.
                            let stored = try String.fetchAll(try db.cachedStatement(sql: """
                                SELECT e.id FROM event e LEFT JOIN withdrawal w ON w.event_id = e.id
                                WHERE e.case_ref = ? AND e.source = 'ssda903' AND w.event_id IS NULL AND e.at >= ? AND e.at <= ? ORDER BY e.at, e.seq
                                """), arguments: [ref, since, coverUntil]).filter { suppliedTable(ofSlot: String($0.prefix { $0 != "~" })) }
                            for id in stored {
                                let base = String(id.prefix { $0 != "~" })
                                if !bases.contains(base) && gone.insert(base).inserted { disappeared.append(base) }
                            }
                        }
                        // Facts an earlier extract set aside that this one (of the same tables) no longer does: the
                        // data was put right, and what rested on it no longer does.
                        let asides = try String.fetchAll(try db.cachedStatement(sql: """
                            SELECT e.id FROM event e LEFT JOIN withdrawal w ON w.event_id = e.id
                            WHERE e.case_ref = ? AND e.kind = 'data-set-aside' AND e.source = 'ssda903' AND w.event_id IS NULL
                              AND e.at >= ? AND e.at <= ?
                            """), arguments: [ref, mine.first.map { zone.startOfDay($0.date).seconds } ?? 0, coverUntil])
                        for id in asides where !bases.contains(String(id.prefix { $0 != "~" })) && asideTableSupplied(id) {
                            try Store.insertWithdrawal(db, id, reason: "the extract no longer sets this aside", actor: actor, now: now)
                        }
                        try Store.recompute(db, ref, evaluator: evaluator, cache: cache)
                        recomputed += 1
                    }
                    if !lenient && !(issues + rowIssues).isEmpty {
                        problems = issues + rowIssues
                        return .rollback
                    }
                    try self.audit(db, at: now, actor: actor, action: "import.ssda903", subject: "files:\(files.count)",
                        detail: "sha256=\(digest.finalizeHex()) tables=\(files.map(\.table.rawValue).joined(separator: ",")) "
                            + "cases=\(newCases) events=\(newEvents) corrected=\(corrected) disappeared=\(disappeared.count) skipped=\(Set((issues + refusedByStore).compactMap(\.child)).count)")
                    return .commit
                }
            }
        } catch {
            throw Store.importFailure(error, paths: paths)
        }
        if !problems.isEmpty { throw CSVErrors(problems) }
        let leftOut = Set((issues + refusedByStore).compactMap(\.child))
        let withAside = Set(setAside.compactMap(\.child)).subtracting(leftOut)
        return SSDA903Report(files: files, newCases: newCases, newEvents: newEvents, corrected: corrected, unchanged: unchanged,
            disappeared: disappeared, skipped: issues + refusedByStore, casesRecomputed: recomputed,
            children: extract.childCount, childrenLeftOut: leftOut.count, childrenWithSetAside: withAside.count, setAside: setAside)
    }
}
