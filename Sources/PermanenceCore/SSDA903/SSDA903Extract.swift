/// The tables of an SSDA903 extract (the children looked after return), read by their standard column
/// names, checked child by child, and turned into cases and events of permanenced's model: periods of care,
/// placements by type, legal stages, reviews and adoption milestones. Pure: the caller reads the files and
/// writes the store. Only the dates and codes that deadlines need are kept: no postcode, no UPN, no date of
/// birth. `docs/ssda903.md` lists every mapping.
public struct SSDA903Extract: Sendable {
    /// The 903 tables, told apart by their columns (as the DfE's validator does: file names vary).
    public enum Table: String, Sendable, CaseIterable {
        case header = "Header", episodes = "Episodes", reviews = "Reviews", placedAdoption = "PlacedAdoption", ad1 = "AD1"
        case prevPerm = "PrevPerm", missing = "Missing", oc2 = "OC2", oc3 = "OC3", uasc = "UASC", swEpisodes = "SWEpisodes"

        public var columns: [String] {
            switch self {
            case .header: return ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
            case .episodes:
                return ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]
            case .reviews: return ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"]
            case .placedAdoption: return ["CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"]
            case .ad1: return ["CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"]
            case .prevPerm: return ["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"]
            case .missing: return ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
            case .oc2:
                return ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK",
                        "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"]
            case .oc3: return ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"]
            case .uasc: return ["CHILD", "SEX", "DOB", "DUC"]
            case .swEpisodes: return ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"]
            }
        }

        /// The table a header row is, by its set of column names (case and surrounding spaces ignored).
        public static func of(_ header: CSVParser.Record) -> Table? {
            let names = Set(header.fields.map { String($0.trimmingSpaces).uppercased() })
            return allCases.first { Set($0.columns) == names }
        }
    }

    /// One event for the store: `slot` names what it is (the same on every extract, whatever its date), so a
    /// changed date is a correction of the event already stored for that slot.
    public struct Mapped: Sendable, Equatable {
        public let caseRef: String
        public let slot: String
        public let kind: String
        public let date: LocalDate
        public let file: String
        public let line: Int
    }

    public let prefix: String
    private(set) var issues: [CSVIssue] = []
    private var episodes: [String: [Episode]] = [:]
    private var dated: [(child: String, kind: String, slot: String, date: LocalDate, file: String, line: Int, column: String)] = []

    struct Episode {
        let file: String
        let line: Int
        let decom: LocalDate
        let rne: String
        let ls: String
        let place: String
        let dec: LocalDate?
        let rec: String?
    }

    /// `prefix` goes before each CHILD id to make the case reference.
    public init(prefix: String = "") { self.prefix = prefix }

    /// What is wrong with a case-reference prefix, or nil if nothing: at most 32 printable characters, none
    /// of them a space, comma, quote, colon or tilde (event ids are built from it).
    public static func problem(withPrefix p: String) -> String? {
        if p.count > 32 { return "at most 32 characters" }
        if p.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value > 0x7E || ",\":~".unicodeScalars.contains($0) }) {
            return "printable characters only, no spaces, commas, quotes, colons or tildes"
        }
        return nil
    }

    /// Reads one table's rows (the header already told which table it is).
    public mutating func add(_ table: Table, header: CSVParser.Record, rows: [CSVParser.Record], file: String) {
        let names = header.fields.map { String($0.trimmingSpaces).uppercased() }
        var column: [String: Int] = [:]
        for (i, n) in names.enumerated() { column[n] = i }
        for r in rows {
            var row = Row(record: r, column: column, file: file)
            guard let child = row.child() else {
                issues += row.issues
                continue
            }
            switch table {
            case .episodes:
                let decom = row.date("DECOM", required: true)
                let rne = row.code("RNE", SSDA903Codes.rne, required: true)
                let ls = row.code("LS", SSDA903Codes.ls, required: true)
                let place = row.cell("PLACE")
                if let place, let ls, SSDA903Codes.placement(place, legalStatus: ls) == nil {
                    row.fail("PLACE", "unknown placement type '\(place)'")
                } else if place == nil {
                    row.fail("PLACE", "empty; every episode has a placement type")
                }
                let dec = row.date("DEC", required: false)
                let rec = row.code("REC", SSDA903Codes.rec, required: false)
                if dec != nil && rec == nil { row.fail("REC", "empty, but DEC says the episode ended: give the reason it ceased") }
                if dec == nil && rec != nil { row.fail("DEC", "empty, but REC says the episode ceased: give the date") }
                if let decom, let dec, dec < decom { row.fail("DEC", "\(dec) is before DECOM \(decom)") }
                if row.issues.isEmpty, let decom, let rne, let ls, let place {
                    episodes[child, default: []].append(Episode(file: file, line: r.line, decom: decom, rne: rne, ls: ls, place: place, dec: dec, rec: rec))
                }
            case .reviews:
                if let d = row.date("REVIEW", required: true) { dated.append((child, "review", "review", d, file, r.line, "REVIEW")) }
                _ = row.code("REVIEW_CODE", SSDA903Codes.reviewCode, required: false)
            case .placedAdoption:
                // The decision that the child should be placed for adoption (the ADM's best interests decision).
                if let d = row.date("DATE_PLACED", required: true) { dated.append((child, "best-interest-decision", "bid", d, file, r.line, "DATE_PLACED")) }
                _ = row.date("DATE_PLACED_CEASED", required: false)
                _ = row.code("REASON_PLACED_CEASED", SSDA903Codes.reasonPlacedCeased, required: false)
            case .ad1:
                if let d = row.date("DATE_INT", required: false) { dated.append((child, "best-interest-decision", "bid", d, file, r.line, "DATE_INT")) }
                if let d = row.date("DATE_MATCH", required: false) { dated.append((child, "match-agreed", "match", d, file, r.line, "DATE_MATCH")) }
            case .header, .prevPerm, .missing, .oc2, .oc3, .uasc, .swEpisodes:
                break  // nothing a deadline needs
            }
            issues += row.issues
        }
    }

    /// The events of every child, in time order per child, and every problem found (each naming file, line
    /// and column). `lenient`: a child with problems is left out, and its problems are what was skipped.
    /// `openPeriod(caseRef)`: the start of the period of care the store already has open for the case, if
    /// any, so that a yearly return whose first row for a child continues that period (RNE other than S)
    /// goes on from it.
    public func mapped(lenient: Bool = false, openPeriod: (String) -> LocalDate? = { _ in nil })
        -> (events: [Mapped], issues: [CSVIssue], skipped: Set<String>)
    {
        var out: [Mapped] = []
        var problems = issues
        var badChildren = Set(issues.compactMap { $0.child })
        var byChild: [String: [Mapped]] = [:]
        for (child, list) in episodes.sorted(by: { $0.key < $1.key }) where !badChildren.contains(child) {
            var mine: [Mapped] = []
            var childIssues: [CSVIssue] = []
            // By start; on one start, an ended row before the open one.
            let eps = list.sorted { ($0.decom, $0.dec == nil ? 1 : 0, $0.line) < ($1.decom, $1.dec == nil ? 1 : 0, $1.line) }
            var periodStart: LocalDate?
            var lastLS: String?
            var orders = 0
            // The placement before a temporary move (T0-T4), which the child goes back to.
            var placeBeforeMove: String?
            var lastPlace: String?
            var lastKind: String?
            func add(_ kind: String, _ slot: String, _ date: LocalDate, _ e: Episode, replacing: Bool = true) {
                let m = Mapped(caseRef: prefix + child, slot: slot, kind: kind, date: date, file: e.file, line: e.line)
                if let i = mine.firstIndex(where: { $0.slot == slot }) {
                    // Two rows on one day (a placement changed twice that day): the later one stands, in its
                    // own place in time.
                    guard replacing else { return }
                    mine.remove(at: i)
                }
                mine.append(m)
            }
            for (i, e) in eps.enumerated() {
                func fail(_ column: String, _ message: String) {
                    childIssues.append(CSVIssue(file: e.file, line: e.line, column: column, message: "child \(child): \(message)"))
                }
                let previous = i > 0 ? eps[i - 1] : nil
                if let p = previous {
                    guard let pdec = p.dec else {
                        fail("DECOM", "this episode starts on \(e.decom) while the one at line \(p.line) (from \(p.decom)) has not ended: episodes overlap")
                        break
                    }
                    if e.decom < pdec {
                        fail("DECOM", "this episode starts on \(e.decom), before the one at line \(p.line) ended (\(pdec)): episodes overlap")
                        break
                    }
                    if p.rec == "X1" {
                        if e.decom != pdec { fail("DECOM", "the episode at line \(p.line) ended \(pdec) with REC X1 (a new episode the same day), but this one starts \(e.decom)") }
                        if e.rne == "S" { fail("RNE", "S (started to be looked after), but the episode at line \(p.line) ended the same day with REC X1: the child was still looked after") }
                    } else if e.rne != "S" {
                        fail("RNE", "\(e.rne) (a change within a period of care), but the period ended \(pdec) (REC \(p.rec ?? "")): a new period starts with S")
                    }
                } else if e.rne != "S" {
                    if let start = openPeriod(prefix + child), start <= e.decom {
                        // A yearly return: the period the store has open goes on, under the legal status it
                        // already had (when that order was made is in the store, not in this file).
                        periodStart = start
                        lastLS = e.ls
                    } else {
                        fail("RNE", "\(e.rne): the child's first episode in the extract continues a period of care that began earlier, and when it began is neither in the file nor in the store; include its first episode (RNE S), or import with --lenient to leave this child out")
                    }
                }
                if i == eps.count - 1, e.rec == "X1" {
                    fail("REC", "X1 (a new episode the same day), but no episode follows it")
                }
                if !childIssues.isEmpty { break }
                if e.rne == "S" {
                    periodStart = e.decom
                    lastLS = nil
                    orders = 0
                    lastKind = nil
                    add("became-looked-after", "lac:\(e.decom.compact)", e.decom, e)
                }
                guard let start = periodStart else { break }
                if SSDA903Codes.rnePlacementChange.contains(e.rne), let placement = SSDA903Codes.placement(e.place, legalStatus: e.ls) {
                    if let kind = placement {
                        // Back from a temporary move to the same placement: it goes on, nothing starts again.
                        if !(placeBeforeMove != nil && placeBeforeMove == e.place && e.rne != "S") {
                            // Out of a placement for adoption into another kind (a disruption): the adoptive
                            // placement ends, and the reviews suspended while it lasted resume.
                            if lastKind == "placed-for-adoption" && kind != "placed-for-adoption" {
                                add("placement-ended", "left:\(e.decom.compact)", e.decom, e)
                            }
                            add(kind, "placed:\(e.decom.compact)", e.decom, e)
                            lastKind = kind
                        }
                        placeBeforeMove = nil
                        lastPlace = e.place
                    } else if placeBeforeMove == nil {
                        placeBeforeMove = lastPlace
                    }
                }
                if e.ls != lastLS {
                    // Each placement order of the period (after a revocation, a second one), and the first care
                    // order: the proceedings end with it.
                    if e.ls == "E1" {
                        orders += 1
                        add("placement-order", "po:\(start.compact)\(orders > 1 ? "#\(orders)" : "")", e.decom, e)
                    } else if lastLS == "E1" {
                        add("placement-order-revoked", "por:\(start.compact)#\(orders)", e.decom, e)
                    }
                    if e.ls == "C2" { add("final-order", "co:\(start.compact)", e.decom, e, replacing: false) }
                }
                lastLS = e.ls
                if let dec = e.dec, let rec = e.rec, rec != "X1" {
                    add(SSDA903Codes.recAdopted.contains(rec) ? "adoption-order" : "ceased-looked-after", "ended:\(start.compact)", dec, e)
                    periodStart = nil
                    placeBeforeMove = nil
                    lastPlace = nil
                    lastKind = nil
                }
            }
            if childIssues.isEmpty { byChild[child] = mine } else {
                problems += childIssues
                badChildren.insert(child)
            }
        }
        // Reviews and adoption milestones, each for a child with episodes; reviews only while looked after.
        for d in dated.sorted(by: { ($0.child, $0.date, $0.line) < ($1.child, $1.date, $1.line) }) {
            guard var mine = byChild[d.child] else {
                if !badChildren.contains(d.child) {
                    problems.append(CSVIssue(file: d.file, line: d.line, column: "CHILD", message: "child \(d.child): not in the Episodes table; every child of the extract has episodes"))
                    badChildren.insert(d.child)
                }
                continue
            }
            if d.kind == "review" {
                let within = periodsOf(mine, continuing: openPeriod(prefix + d.child)).contains { d.date >= $0.0 && ($0.1.map { d.date <= $0 } ?? true) }
                if !within {
                    problems.append(CSVIssue(file: d.file, line: d.line, column: d.column, message: "child \(d.child): a review on \(d.date), when the child was not looked after"))
                    badChildren.insert(d.child)
                    byChild[d.child] = nil
                    continue
                }
            }
            let slot = "\(d.slot):\(d.date.compact)"
            // The same decision in two tables (PlacedAdoption and AD1) is one event; two review rows on one day
            // are one review (counted twice, it would meet the next review of the series as well).
            if mine.contains(where: { $0.slot == slot }) { continue }
            mine.append(Mapped(caseRef: prefix + d.child, slot: slot, kind: d.kind, date: d.date, file: d.file, line: d.line))
            byChild[d.child] = mine
        }
        // Taken out of the dictionary as they go into the list, so the two are never both whole.
        for child in byChild.keys.sorted() {
            guard let list = byChild.removeValue(forKey: child), !badChildren.contains(child) else { continue }
            out += list.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element)
        }
        if lenient { return (out, problems, badChildren) }
        return (problems.isEmpty ? out : [], problems, badChildren)
    }

    /// The periods of care a child's mapped events make.
    /// `continuing`: the start of the period the store has open, which the events may go on from.
    private func periodsOf(_ events: [Mapped], continuing: LocalDate?) -> [(LocalDate, LocalDate?)] {
        var out: [(LocalDate, LocalDate?)] = []
        var start: LocalDate? = events.first?.kind == "became-looked-after" ? nil : continuing
        for e in events {
            if e.kind == "became-looked-after" { start = e.date }
            if e.kind == "ceased-looked-after" || e.kind == "adoption-order", let s = start {
                out.append((s, e.date))
                start = nil
            }
        }
        if let s = start { out.append((s, nil)) }
        return out
    }

    /// One row, its cells read by column name, with the problems found in it.
    struct Row {
        let record: CSVParser.Record
        let column: [String: Int]
        let file: String
        var issues: [CSVIssue] = []
        var childID: String?

        init(record: CSVParser.Record, column: [String: Int], file: String) {
            self.record = record
            self.column = column
            self.file = file
        }

        func cell(_ name: String) -> String? {
            guard let i = column[name], i < record.fields.count else { return nil }
            let v = record.fields[i].trimmingSpaces
            return v.isEmpty ? nil : String(v)
        }

        mutating func fail(_ name: String, _ message: String) {
            issues.append(CSVIssue(file: file, line: record.line, column: name, message: childID.map { "child \($0): \(message)" } ?? message))
        }

        mutating func child() -> String? {
            guard let c = cell("CHILD") else {
                fail("CHILD", "empty; every row names the child")
                return nil
            }
            guard c.count <= 64, c.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
                fail("CHILD", "'\(c)' is not a child id (letters, digits, - and _, at most 64)")
                return nil
            }
            childID = c
            return c
        }


        /// A code from `valid`, upper-cased.
        mutating func code(_ name: String, _ valid: Set<String>, required: Bool) -> String? {
            guard let v = cell(name)?.uppercased() else {
                if required { fail(name, "empty") }
                return nil
            }
            guard valid.contains(v) else {
                fail(name, "unknown code '\(v)'; expected one of \(valid.sorted().joined(separator: ", "))")
                return nil
            }
            return v
        }

        /// A date written `DD/MM/YYYY`, as the 903 writes them.
        mutating func date(_ name: String, required: Bool) -> LocalDate? {
            guard let v = cell(name) else {
                if required { fail(name, "empty; give the date as DD/MM/YYYY") }
                return nil
            }
            let parts = v.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 2, parts[1].count == 2, parts[2].count == 4,
                  let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]), let date = LocalDate(year: y, month: m, day: d)
            else {
                fail(name, "'\(v)' is not a date DD/MM/YYYY")
                return nil
            }
            return date
        }
    }
}

extension LocalDate {
    /// `YYYYMMDD`, for event ids.
    var compact: String { String(description.filter { $0 != "-" }) }
}

extension CSVIssue {
    /// The child a 903 problem names, if it names one.
    public var child: String? {
        guard message.hasPrefix("child ") else { return nil }
        return String(message.dropFirst(6).prefix { $0 != ":" })
    }
}
