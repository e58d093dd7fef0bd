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

    /// A period of care the store already has open for a case: when it began, and the kind of the placement
    /// the child is in (nil if none, or it ended).
    public struct OpenPeriod: Sendable, Equatable {
        public let start: LocalDate
        public let placement: String?
        /// The period's start is not known: `start` is the day an earlier extract first showed it open
        /// (`looked-after-before`).
        public let startUnknown: Bool

        public init(start: LocalDate, placement: String? = nil, startUnknown: Bool = false) {
            self.start = start
            self.placement = placement
            self.startUnknown = startUnknown
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
    /// The problems found reading the rows (each naming file, line and column), before any child is mapped.
    public private(set) var issues: [CSVIssue] = []
    /// Each child id once; rows name a child by its place here.
    private var childIDs: [String] = []
    private var childIndex: [String: Int32] = [:]
    private var files: [String] = []
    /// Every episode row that passed its own checks, in a few bytes each: an extract for the whole country
    /// (half a million episodes, near a million reviews) is held as numbers and codes, not as text.
    private var episodes: [StoredEpisode] = []
    private var dated: [StoredDate] = []

    /// An episode row as stored: the child and file by number, dates as day numbers, codes by their place
    /// in `SSDA903Codes`' lists.
    struct StoredEpisode {
        let child: Int32
        let line: Int32
        let decom: Int32
        /// `Int32.min`: no end date.
        let dec: Int32
        let file: UInt32
        let rne: UInt8, ls: UInt8, place: UInt8
        /// `UInt8.max`: no reason.
        let rec: UInt8
    }

    /// A dated row of another table (a review, an adoption milestone).
    struct StoredDate {
        let child: Int32
        let date: Int32
        let line: Int32
        let file: UInt32
        let what: Milestone
    }

    /// What a dated row records: the event it gives and the column its date is in.
    enum Milestone: UInt8 {
        case review, datePlaced, dateInt, dateMatch

        var kind: String {
            switch self {
            case .review: return "review"
            case .datePlaced, .dateInt: return "best-interest-decision"
            case .dateMatch: return "match-agreed"
            }
        }
        var slot: String {
            switch self {
            case .review: return "review"
            case .datePlaced, .dateInt: return "bid"
            case .dateMatch: return "match"
            }
        }
        var column: String {
            switch self {
            case .review: return "REVIEW"
            case .datePlaced: return "DATE_PLACED"
            case .dateInt: return "DATE_INT"
            case .dateMatch: return "DATE_MATCH"
            }
        }
    }

    /// One child's episode, as the mapping reads it.
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

    private mutating func number(ofChild c: String) -> Int32 {
        if let n = childIndex[c] { return n }
        let n = Int32(childIDs.count)
        childIDs.append(c)
        childIndex[c] = n
        return n
    }

    /// Reads one table's rows (the header already told which table it is).
    public mutating func add(_ table: Table, header: CSVParser.Record, rows: [CSVParser.Record], file: String) {
        let names = header.fields.map { String($0.trimmingSpaces).uppercased() }
        var column: [String: Int] = [:]
        for (i, n) in names.enumerated() { column[n] = i }
        if files.last != file { files.append(file) }
        let fileNumber = UInt32(files.count - 1)
        for r in rows {
            var row = Row(record: r, column: column, file: file)
            guard let child = row.child() else {
                issues += row.issues
                continue
            }
            func addDate(_ d: LocalDate, _ what: Milestone) {
                dated.append(StoredDate(child: number(ofChild: child), date: Int32(d.dayNumber), line: Int32(r.line), file: fileNumber, what: what))
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
                if row.issues.isEmpty, let decom, let rne, let ls, let place,
                   let rneN = SSDA903Codes.List.rne.number(rne), let lsN = SSDA903Codes.List.ls.number(ls),
                   let placeN = SSDA903Codes.List.place.number(place)
                {
                    episodes.append(StoredEpisode(
                        child: number(ofChild: child), line: Int32(r.line), decom: Int32(decom.dayNumber), dec: dec.map { Int32($0.dayNumber) } ?? .min,
                        file: fileNumber, rne: rneN, ls: lsN, place: placeN, rec: rec.flatMap(SSDA903Codes.List.rec.number) ?? .max))
                }
            case .reviews:
                if let d = row.date("REVIEW", required: true) { addDate(d, .review) }
                _ = row.code("REVIEW_CODE", SSDA903Codes.reviewCode, required: false)
            case .placedAdoption:
                // The decision that the child should be placed for adoption (the ADM's best interests decision).
                if let d = row.date("DATE_PLACED", required: true) { addDate(d, .datePlaced) }
                _ = row.date("DATE_PLACED_CEASED", required: false)
                _ = row.code("REASON_PLACED_CEASED", SSDA903Codes.reasonPlacedCeased, required: false)
            case .ad1:
                if let d = row.date("DATE_INT", required: false) { addDate(d, .dateInt) }
                if let d = row.date("DATE_MATCH", required: false) { addDate(d, .dateMatch) }
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
    public func mapped(lenient: Bool = false, openPeriod: (String) -> OpenPeriod? = { _ in nil })
        -> (events: [Mapped], issues: [CSVIssue], skipped: Set<String>)
    {
        var out: [Mapped] = []
        var copy = self
        let (problems, skipped) = copy.forEachChild(lenient: lenient, openPeriod: openPeriod) { out += $1 }
        if lenient { return (out, problems, skipped) }
        return (problems.isEmpty ? out : [], problems, skipped)
    }

    /// Maps the extract one child at a time, in order of child id, handing each child's events (in time
    /// order) to `body`, so that only one child's events are ever held: the whole country's extract maps
    /// in the memory of its rows. Returns every problem found (each naming file, line and column) and the
    /// children who had one. `lenient`: a child with problems is left out and the rest are handed on;
    /// otherwise, once any problem is found no further child is handed on (the extract is refused whole),
    /// though every child is still checked so that every problem is named.
    /// `openPeriod(caseRef)`: as for `mapped`; asked at most once per child, and only for a child that
    /// needs it.
    /// The rows are sorted in place (a copy of them would double what the extract holds).
    public mutating func forEachChild<E: Error>(lenient: Bool, openPeriod: (String) throws(E) -> OpenPeriod?,
                                       _ body: (_ caseRef: String, _ events: [Mapped]) throws(E) -> Void) throws(E)
        -> (issues: [CSVIssue], skipped: Set<String>)
    {
        var problems = issues
        var badChildren = Set(issues.compactMap { $0.child })
        // Children in order of their ids; rows sorted by child, then as the mapping reads them.
        var rank = [Int32](repeating: 0, count: childIDs.count)
        for (r, c) in childIDs.indices.sorted(by: { childIDs[$0] < childIDs[$1] }).enumerated() { rank[c] = Int32(r) }
        // Sorted in place, with file and line last: each row is in one place of one file (and a row's two
        // dates are told apart by what they are), so the order is total.
        episodes.sort { x, y in
            if x.child != y.child { return rank[Int(x.child)] < rank[Int(y.child)] }
            // By start; on one start, an ended row before the open one.
            if x.decom != y.decom { return x.decom < y.decom }
            if (x.dec == .min) != (y.dec == .min) { return y.dec == .min }
            if x.line != y.line { return x.line < y.line }
            return x.file < y.file
        }
        dated.sort { x, y in
            if x.child != y.child { return rank[Int(x.child)] < rank[Int(y.child)] }
            if x.date != y.date { return x.date < y.date }
            if x.line != y.line { return x.line < y.line }
            if x.file != y.file { return x.file < y.file }
            return x.what.rawValue < y.what.rawValue  // AD1's two dates on one row
        }
        let eps = episodes, dates = dated  // the same storage, not copies
        var e = 0, d = 0
        while e < eps.count || d < dates.count {
            let nextChild: Int32
            switch (e < eps.count, d < dates.count) {
            case (true, true): nextChild = rank[Int(eps[e].child)] <= rank[Int(dates[d].child)] ? eps[e].child : dates[d].child
            case (true, false): nextChild = eps[e].child
            default: nextChild = dates[d].child
            }
            let e0 = e, d0 = d
            while e < eps.count && eps[e].child == nextChild { e += 1 }
            while d < dates.count && dates[d].child == nextChild { d += 1 }
            let child = childIDs[Int(nextChild)]
            guard !badChildren.contains(child) else { continue }
            var asked = false
            var known: OpenPeriod?
            func open() throws(E) -> OpenPeriod? {
                if !asked { known = try openPeriod(prefix + child); asked = true }
                return known
            }
            var childIssues: [CSVIssue] = []
            var mine: [Mapped] = []
            if e0 == e {
                let first = dates[d0]
                childIssues.append(CSVIssue(file: files[Int(first.file)], line: Int(first.line), column: "CHILD",
                    message: "child \(child): not in the Episodes table; every child of the extract has episodes"))
            } else {
                let list = eps[e0..<e].map { s in
                    Episode(file: files[Int(s.file)], line: Int(s.line), decom: LocalDate(dayNumber: Int(s.decom)),
                            rne: SSDA903Codes.List.rne.codes[Int(s.rne)], ls: SSDA903Codes.List.ls.codes[Int(s.ls)],
                            place: SSDA903Codes.List.place.codes[Int(s.place)],
                            dec: s.dec == .min ? nil : LocalDate(dayNumber: Int(s.dec)),
                            rec: s.rec == .max ? nil : SSDA903Codes.List.rec.codes[Int(s.rec)])
                }
                mine = try mapEpisodes(child, list, &childIssues, openPeriod: open)
            }
            if childIssues.isEmpty {
                // Reviews and adoption milestones; reviews only while looked after.
                var periods: [(LocalDate, LocalDate?)]?
                for s in dates[d0..<d] {
                    let date = LocalDate(dayNumber: Int(s.date))
                    let file = files[Int(s.file)]
                    if s.what == .review {
                        // Only a child whose events go on from a period the store has open needs asking.
                        if periods == nil {
                            let starts = mine.first.map { $0.kind == "became-looked-after" || $0.kind == "looked-after-before" } == true
                            periods = periodsOf(mine, continuing: starts ? nil : try open()?.start)
                        }
                        if !periods!.contains(where: { date >= $0.0 && ($0.1.map { date <= $0 } ?? true) }) {
                            childIssues.append(CSVIssue(file: file, line: Int(s.line), column: s.what.column,
                                message: "child \(child): a review on \(date), when the child was not looked after"))
                            break
                        }
                    }
                    let slot = "\(s.what.slot):\(date.compact)"
                    // The same decision in two tables (PlacedAdoption and AD1) is one event; two review rows on
                    // one day are one review (counted twice, it would meet the next review of the series as well).
                    if mine.contains(where: { $0.slot == slot }) { continue }
                    mine.append(Mapped(caseRef: prefix + child, slot: slot, kind: s.what.kind, date: date, file: file, line: Int(s.line)))
                }
            }
            if !childIssues.isEmpty {
                problems += childIssues
                badChildren.insert(child)
                continue
            }
            // A child the extract gives nothing new for (a yearly return's row that only goes on) is not
            // handed on: there is nothing to write, and nothing to compare with what is stored.
            guard lenient || problems.isEmpty, !mine.isEmpty else { continue }
            try body(prefix + child, mine.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element))
        }
        return (problems, badChildren)
    }

    /// One child's episode rows (in the order the mapping reads them) to its periods, placements and legal
    /// stages; problems go to `childIssues` (and nothing is returned that counts).
    private func mapEpisodes<E: Error>(_ child: String, _ eps: [Episode], _ childIssues: inout [CSVIssue],
                                       openPeriod: () throws(E) -> OpenPeriod?) throws(E) -> [Mapped] {
        var mine: [Mapped] = []
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
                if let open = try openPeriod(), open.start <= e.decom {
                    // A yearly return: the period the store has open goes on, under the legal status it
                    // already had (when that order was made is in the store, not in this file), from the
                    // placement the store has (an adoptive placement that goes on is not placed again).
                    periodStart = open.start
                    lastLS = e.ls
                    lastKind = open.placement
                    // The same first row as the extract that found the period already open: the same marker.
                    if open.startUnknown && open.start == e.decom { add("looked-after-before", "lac-before:\(e.decom.compact)", e.decom, e) }
                } else {
                    // The period of care began before the data: its start is marked as not known (nothing is
                    // counted from it), and so are the legal status and, on a legal status change (RNE L), the
                    // placement the child was already in (no order or placement date is invented); cycles go
                    // on from the facts the extract gives. An earlier return imported later supplies the start.
                    periodStart = e.decom
                    lastLS = e.ls
                    add("looked-after-before", "lac-before:\(e.decom.compact)", e.decom, e)
                    if !SSDA903Codes.rnePlacementChange.contains(e.rne), let placement = SSDA903Codes.placement(e.place, legalStatus: e.ls) {
                        lastKind = placement
                        lastPlace = e.place
                    }
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
                // Accommodated under an agreed series of short-term breaks (LS V3: each stay an episode; V4: the
                // agreement an episode): a stay of the series, with its own reviews and visits (CPPCR reg 48),
                // not an ordinary placement.
                if var kind = placement {
                    if SSDA903Codes.shortBreaks.contains(e.ls) && kind != "placed-for-adoption" { kind = "placed-short-break" }
                    // Back from a temporary move to the same placement: it goes on, nothing starts again.
                    let backFromMove = placeBeforeMove != nil && placeBeforeMove == e.place && e.rne != "S"
                    // Placed for adoption with the same carers under a new authority (A3 with consent, then A5
                    // once a placement order is made): the same adoptive placement goes on (AAR 2005 reg 36
                    // runs from the day the child was placed, not from the order).
                    let sameAdoptivePlacement = kind == "placed-for-adoption" && lastKind == kind && SSDA903Codes.rneSameCarers.contains(e.rne)
                    if !backFromMove && !sameAdoptivePlacement {
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
                // From short breaks into the authority's care in the same placement (RNE L: V3 or V4 to C1, say):
                // the series ends, and the placement is an ordinary one from then on (its visits start).
                if let last = lastLS, SSDA903Codes.shortBreaks.contains(last), !SSDA903Codes.shortBreaks.contains(e.ls),
                   lastKind == "placed-short-break", !SSDA903Codes.rnePlacementChange.contains(e.rne),
                   let placement = SSDA903Codes.placement(e.place, legalStatus: e.ls), let kind = placement {
                    add(kind, "placed:\(e.decom.compact)", e.decom, e)
                    lastKind = kind
                }
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
                // An agreement for short breaks (V4) that ends ends the series; a stay (V3) ends only itself.
                if e.ls == "V4" { add("short-breaks-ended", "sb-ended:\(dec.compact)", dec, e) }
                add(SSDA903Codes.recAdopted.contains(rec) ? "adoption-order" : "ceased-looked-after", "ended:\(start.compact)", dec, e)
                periodStart = nil
                placeBeforeMove = nil
                lastPlace = nil
                lastKind = nil
            }
        }
        return mine
    }

    /// The periods of care a child's mapped events make.
    /// `continuing`: the start of the period the store has open, which the events may go on from.
    private func periodsOf(_ events: [Mapped], continuing: LocalDate?) -> [(LocalDate, LocalDate?)] {
        var out: [(LocalDate, LocalDate?)] = []
        var start: LocalDate? = events.first.map { $0.kind == "became-looked-after" || $0.kind == "looked-after-before" } == true ? nil : continuing
        for e in events {
            if e.kind == "became-looked-after" || e.kind == "looked-after-before" { start = e.date }
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
