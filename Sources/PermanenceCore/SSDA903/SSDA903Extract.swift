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
        /// What the event says beyond its kind (for `data-set-aside`: what was set aside and why).
        public var note: String? = nil
    }

    public let prefix: String
    /// The problems found reading the rows (each naming file, line and column), before any child is mapped.
    public private(set) var issues: [CSVIssue] = []
    /// For each of `issues`, what a lenient import does with it (sets the field or row aside, saying what it
    /// reads instead), or nil when it cannot (a row that names no child).
    private var actions: [String?] = []
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
        /// `unknown`: set aside (a lenient import reads it from the rows around it).
        let rne: UInt8, ls: UInt8, place: UInt8
        /// `UInt8.max`: no reason; `unknown`: the episode ended, for a reason set aside.
        let rec: UInt8

        /// A code set aside by a lenient import.
        static let unknown: UInt8 = .max - 1
    }

    /// A dated row of another table (a review, an adoption milestone).
    struct StoredDate {
        let child: Int32
        let date: Int32
        let line: Int32
        let file: UInt32
        let what: Milestone
        /// A review dated before the child's date of birth (the row's DOB).
        var beforeBirth = false
    }

    /// What a dated row records: the event it gives and the column its date is in.
    enum Milestone: UInt8 {
        case review, datePlaced, dateInt, dateMatch, fosterCare

        var kind: String {
            switch self {
            case .review: return "review"
            case .datePlaced, .dateInt: return "best-interest-decision"
            case .dateMatch: return "match-agreed"
            case .fosterCare: return "adopters-are-foster-carers"
            }
        }
        var slot: String {
            switch self {
            case .review: return "review"
            case .datePlaced, .dateInt: return "bid"
            case .dateMatch: return "match"
            case .fosterCare: return "foster-carers"
            }
        }
        var column: String {
            switch self {
            case .review: return "REVIEW"
            case .datePlaced: return "DATE_PLACED"
            case .dateInt: return "DATE_INT"
            case .dateMatch: return "DATE_MATCH"
            case .fosterCare: return "FOSTER_CARE"
            }
        }
    }

    /// One child's episode, as the mapping reads it.
    struct Episode {
        let file: String
        let line: Int
        let decom: LocalDate
        var rne: String
        var ls: String
        let place: String
        var dec: LocalDate?
        var rec: String?
    }

    /// Before any extract: where a period that began before the data may reach back to.
    static let longAgo = LocalDate(year: 1900, month: 1, day: 1)!

    /// `prefix` goes before each CHILD id to make the case reference.
    public init(prefix: String = "") { self.prefix = prefix }

    /// How many children the rows read so far name.
    public var childCount: Int { childIDs.count }

    /// The latest date the rows read so far give (a start, an end, a review or a decision): the last day the
    /// extract covers.
    public var lastDate: LocalDate? {
        var last = Int32.min
        for e in episodes { last = max(last, e.decom, e.dec) }
        for d in dated { last = max(last, d.date) }
        return last == Int32.min ? nil : LocalDate(dayNumber: Int(last))
    }

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
                actions += row.issues.map { _ in nil }
                continue
            }
            // What a lenient import does with each problem of this row (the same count as row.issues).
            var aside: [String] = []
            func note(_ action: String) { while aside.count < row.issues.count { aside.append(action) } }
            func addDate(_ d: LocalDate, _ what: Milestone, beforeBirth: Bool = false) {
                dated.append(StoredDate(child: number(ofChild: child), date: Int32(d.dayNumber), line: Int32(r.line), file: fileNumber, what: what,
                                        beforeBirth: beforeBirth))
            }
            switch table {
            case .episodes:
                let decom = row.date("DECOM", required: true)
                note("the row is set aside (no start date to place it in time)")
                let rne = row.code("RNE", SSDA903Codes.rne, required: true)
                note("RNE is set aside: read from the rows around it (after a period ended, a new one; otherwise a change within the period; on a child's first row, a period whose start is not known)")
                let ls = row.code("LS", SSDA903Codes.ls, required: true)
                note("LS is set aside: the legal status is taken to be unchanged (no order date is recorded from this row)")
                var place = row.cell("PLACE")
                if let p = place, let l = ls, SSDA903Codes.placement(p, legalStatus: l) == nil {
                    row.fail("PLACE", "unknown placement type '\(p)'")
                    place = nil
                } else if place == nil {
                    row.fail("PLACE", "empty; every episode has a placement type")
                } else if ls == nil, let p = place, SSDA903Codes.List.place.number(p) == nil {
                    place = nil  // said with the legal status's problem, as a strict import always has
                }
                note("PLACE is set aside: a placement of a type not known (placed), visited as the general rule asks")
                // The same problems, in the same words, as a strict import has always named; a lenient one
                // reads an episode that may or may not have ended as still open, so that reminders go on.
                var dec = row.date("DEC", required: false)
                let decBad = row.issues.count > aside.count
                note("DEC is set aside: the episode is taken to be still open, so reminders go on")
                let ended = "REC is set aside: the episode ended on DEC; whether the period of care went on is read from the next row"
                let open = "REC is set aside: the episode may not have ended, so it is taken to be still open and reminders go on"
                var rec = row.code("REC", SSDA903Codes.rec, required: false)
                note(dec != nil ? ended : open)
                // Ended on DEC for a reason not known (none given, or one not in the code list).
                var recUnknown = dec != nil && rec == nil
                if dec != nil && rec == nil {
                    row.fail("REC", "empty, but DEC says the episode ended: give the reason it ceased")
                    note(ended)
                }
                if dec == nil && rec != nil {
                    row.fail("DEC", "empty, but REC says the episode ceased: give the date")
                    note(decBad ? "DEC and REC are set aside: the episode is taken to be still open, so reminders go on" : open)
                    rec = nil
                }
                if let decom, let d = dec, d < decom {
                    row.fail("DEC", "\(d) is before DECOM \(decom)")
                    note("DEC and REC are set aside: the episode is taken to be still open, so reminders go on")
                    dec = nil
                    rec = nil
                    recUnknown = false
                }
                if let decom {
                    episodes.append(StoredEpisode(
                        child: number(ofChild: child), line: Int32(r.line), decom: Int32(decom.dayNumber), dec: dec.map { Int32($0.dayNumber) } ?? .min,
                        file: fileNumber, rne: rne.flatMap(SSDA903Codes.List.rne.number) ?? StoredEpisode.unknown,
                        ls: ls.flatMap(SSDA903Codes.List.ls.number) ?? StoredEpisode.unknown,
                        place: place.flatMap(SSDA903Codes.List.place.number) ?? StoredEpisode.unknown,
                        rec: recUnknown ? StoredEpisode.unknown : rec.flatMap(SSDA903Codes.List.rec.number) ?? .max))
                }
            case .reviews:
                // The date of birth only tells a review that cannot be right; one that is not a date is not
                // checked here (no deadline needs it).
                let dob = row.dateIfValid("DOB")
                if let d = row.date("REVIEW", required: true) {
                    // Before the child was born: a lenient import sets it aside (a strict one takes the extract
                    // as it has always taken it).
                    addDate(d, .review, beforeBirth: dob.map { d < $0 } ?? false)
                }
                note("the review is set aside")
                _ = row.code("REVIEW_CODE", SSDA903Codes.reviewCode, required: false)
                note("REVIEW_CODE is set aside (no deadline uses it); the review counts")
            case .placedAdoption:
                // The decision that the child should be placed for adoption (the ADM's best interests decision).
                if let d = row.date("DATE_PLACED", required: true) { addDate(d, .datePlaced) }
                note("the decision is set aside")
                _ = row.date("DATE_PLACED_CEASED", required: false)
                _ = row.code("REASON_PLACED_CEASED", SSDA903Codes.reasonPlacedCeased, required: false)
                note("set aside (no deadline uses it); the decision counts")
            case .ad1:
                let interest = row.date("DATE_INT", required: false)
                if let d = interest { addDate(d, .dateInt) }
                note("DATE_INT is set aside")
                let match = row.date("DATE_MATCH", required: false)
                if let d = match { addDate(d, .dateMatch) }
                note("DATE_MATCH is set aside")
                // Adopted by the foster carers (1): a foster carer adoption, recorded on the match's day.
                if row.cell("FOSTER_CARE") == "1", let d = match ?? interest { addDate(d, .fosterCare) }
            case .header, .prevPerm, .missing, .oc2, .oc3, .uasc, .swEpisodes:
                break  // nothing a deadline needs
            }
            issues += row.issues
            actions += row.issues.indices.map { $0 < aside.count ? aside[$0] : nil }
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
        let (problems, skipped, _) = copy.forEachChild(lenient: lenient, openPeriod: openPeriod) { out += $1 }
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
        -> (issues: [CSVIssue], skipped: Set<String>, setAside: [CSVIssue])
    {
        // Strict: every problem refuses the extract, as it always has. Lenient: a problem confined to a field or
        // a row is set aside and the child imported (each said, with what was read instead); only a child
        // whose periods cannot be worked out at all (no row naming it can be read) is left out.
        var problems = lenient ? zip(issues, actions).filter { $0.1 == nil }.map(\.0) : issues
        var badChildren = Set(problems.compactMap { $0.child })
        var asideByChild: [String: [CSVIssue]] = [:]
        var visited = Set<String>()
        var setAside: [CSVIssue] = []
        if lenient {
            for (issue, action) in zip(issues, actions) {
                guard let action, let c = issue.child else { continue }
                asideByChild[c, default: []].append(issue.settingAside(action))
            }
        }
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
            // Only wanted to find a child with facts set aside whose rows all were: no set of every child.
            if !asideByChild.isEmpty { visited.insert(child) }
            guard !badChildren.contains(child) else { continue }
            var asked = false
            var known: OpenPeriod?
            func open() throws(E) -> OpenPeriod? {
                if !asked { known = try openPeriod(prefix + child); asked = true }
                return known
            }
            var childIssues: [CSVIssue] = []
            var childAside = asideByChild[child] ?? []
            var mine: [Mapped] = []
            if e0 == e {
                let first = dates[d0]
                childIssues.append(CSVIssue(file: files[Int(first.file)], line: Int(first.line), column: "CHILD",
                    message: "child \(child): not in the Episodes table; every child of the extract has episodes"))
            } else {
                let list = eps[e0..<e].map { s in
                    Episode(file: files[Int(s.file)], line: Int(s.line), decom: LocalDate(dayNumber: Int(s.decom)),
                            rne: SSDA903Codes.List.rne.code(s.rne), ls: SSDA903Codes.List.ls.code(s.ls),
                            place: SSDA903Codes.List.place.code(s.place),
                            dec: s.dec == .min ? nil : LocalDate(dayNumber: Int(s.dec)),
                            rec: s.rec == .max ? nil : SSDA903Codes.List.rec.code(s.rec))
                }
                mine = try mapEpisodes(child, lenient ? repaired(child, list, &childAside) : list, &childIssues, openPeriod: open)
            }
            if childIssues.isEmpty {
                // Reviews and adoption milestones; reviews only while looked after.
                var periods: [(LocalDate, LocalDate?)]?
                for s in dates[d0..<d] {
                    let date = LocalDate(dayNumber: Int(s.date))
                    let file = files[Int(s.file)]
                    if s.what == .review && s.beforeBirth && lenient {
                        childAside.append(CSVIssue(file: file, line: Int(s.line), column: s.what.column,
                            message: "child \(child): \(date) is before the child's date of birth").settingAside("the review is set aside"))
                        continue
                    }
                    if s.what == .review {
                        // Only a child whose events go on from a period the store has open needs asking.
                        if periods == nil {
                            let starts = mine.first.map { $0.kind == "became-looked-after" || $0.kind == "looked-after-before" } == true
                            periods = periodsOf(mine, continuing: starts ? nil : try open()?.start)
                        }
                        if !periods!.contains(where: { date >= $0.0 && ($0.1.map { date <= $0 } ?? true) }) {
                            let issue = CSVIssue(file: file, line: Int(s.line), column: s.what.column,
                                message: "child \(child): a review on \(date), when the child was not looked after")
                            if lenient {
                                childAside.append(issue.settingAside("the review is set aside"))
                                continue
                            }
                            childIssues.append(issue)
                            break
                        }
                    }
                    let slot = "\(s.what.slot):\(date.compact)"
                    // The same decision in two tables (PlacedAdoption and AD1) is one event; two review rows on
                    // one day are one review (counted twice, it would meet the next review of the series as well).
                    if mine.contains(where: { $0.slot == slot }) { continue }
                    mine.append(Mapped(caseRef: prefix + child, slot: slot, kind: s.what.kind, date: date, file: file, line: Int(s.line)))
                }
                // A period that began before the data was already open on the day of a review the extract gives
                // before its first row: the marker moves back to it, so the review counts where it stands.
                if let i = mine.firstIndex(where: { $0.kind == "looked-after-before" }) {
                    let marker = mine[i]
                    let end = mine.lazy.filter { $0.date < marker.date && ($0.kind == "ceased-looked-after" || $0.kind == "adoption-order") }.map(\.date).max()
                    let earlier = mine.filter { m in m.kind == "review" && m.date < marker.date && (end.map { m.date > $0 } ?? true) }
                    if let first = earlier.map(\.date).min() {
                        mine[i] = Mapped(caseRef: marker.caseRef, slot: marker.slot, kind: marker.kind, date: first, file: marker.file, line: marker.line)
                    }
                }
            }
            if !childIssues.isEmpty {
                problems += childIssues
                badChildren.insert(child)
                continue
            }
            // What was set aside, for the child and for the report; each fact also stays in the child's
            // history as `data-set-aside` (on the day it concerns), so that what rests on it says so.
            for a in childAside {
                setAside.append(a)
                let day = mine.first { $0.file == a.file && $0.line == a.line }?.date
                    ?? dates[d0..<d].first { files[Int($0.file)] == a.file && Int($0.line) == a.line }.map { LocalDate(dayNumber: Int($0.date)) }
                    ?? eps[e0..<e].first { files[Int($0.file)] == a.file && Int($0.line) == a.line }.map { LocalDate(dayNumber: Int($0.decom)) }
                guard let day else { continue }
                var m = Mapped(caseRef: prefix + child, slot: "aside:\(a.column):\(day.compact)", kind: "data-set-aside", date: day, file: a.file, line: a.line)
                m.note = "\(a.file.split(separator: "/").last.map(String.init) ?? a.file):\(a.line): \(a.column): \(a.message); \(a.action ?? "")"
                if !mine.contains(where: { $0.slot == m.slot }) { mine.append(m) }
            }
            // A child the extract gives nothing new for (a yearly return's row that only goes on) is not
            // handed on: there is nothing to write, and nothing to compare with what is stored.
            guard lenient || problems.isEmpty, !mine.isEmpty else { continue }
            try body(prefix + child, mine.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element))
        }
        // A child none of whose rows could be read (every DECOM set aside): left out, and said.
        for (child, notes) in asideByChild.sorted(by: { $0.key < $1.key }) where !visited.contains(child) {
            let first = notes[0]
            problems.append(CSVIssue(file: first.file, line: first.line, column: first.column,
                message: "child \(child): no episode row of the child can be read (\(first.message.dropFirst("child \(child): ".count)))"))
            badChildren.insert(child)
        }
        return (problems, badChildren, setAside)
    }

    /// A lenient import's reading of one child's episode rows: each problem that a strict import refuses the
    /// extract for is set aside, said in `aside` with what is read instead, and the rows are made consistent:
    /// an episode still open when the next begins, or overlapping it, is taken to have ended that day with the
    /// period going on (X1); after X1 the period goes on (RNE read as P); after a period ended, a row starts a
    /// new one (RNE read as S); an episode ended for a reason not known goes on into a row that starts that
    /// day and otherwise ends the period; a last row ended X1 is taken to be still open. An episode that may or
    /// may not have ended is read as open: a missed reminder about a child is worse than an unneeded one.
    private func repaired(_ child: String, _ eps: [Episode], _ aside: inout [CSVIssue]) -> [Episode] {
        var out: [Episode] = []
        for var e in eps {
            func note(_ column: String, _ message: String, _ action: String, line: Int? = nil) {
                aside.append(CSVIssue(file: e.file, line: line ?? e.line, column: column, message: "child \(child): \(message)").settingAside(action))
            }
            if var p = out.last {
                if p.dec == nil {
                    note("DECOM", "this episode starts on \(e.decom) while the one at line \(p.line) (from \(p.decom)) has not ended: episodes overlap",
                         "the episode at line \(p.line) is taken to have ended on \(e.decom), the period going on (as REC X1)")
                    (p.dec, p.rec) = (e.decom, "X1")
                } else if let pdec = p.dec, e.decom < pdec {
                    note("DECOM", "this episode starts on \(e.decom), before the one at line \(p.line) ended (\(pdec)): episodes overlap",
                         "the episode at line \(p.line) is taken to have ended on \(e.decom), the period going on (as REC X1)")
                    (p.dec, p.rec) = (e.decom, "X1")
                }
                // Ended for a reason not known: the period goes on into a row that starts that day. (Messages say
                // what the file gave, not this reading.)
                let recGiven = p.rec == SSDA903Codes.List.unknown ? "not given" : (p.rec ?? "not given")
                if p.rec == SSDA903Codes.List.unknown { p.rec = p.dec == e.decom ? "X1" : "E8" }
                if p.rec == "X1" {
                    if let pdec = p.dec, e.decom != pdec {
                        note("DECOM", "the episode at line \(p.line) ended \(pdec) with REC \(recGiven == "X1" ? "X1 (a new episode the same day)" : recGiven), but this one starts \(e.decom)",
                             "the period of care is taken to go on, the episode at line \(p.line) to have lasted until this one starts")
                        p.dec = e.decom
                    }
                    if e.rne == "S" {
                        note("RNE", "S (started to be looked after), but the episode at line \(p.line) ended the same day with REC X1: the child was still looked after",
                             "read as a change within the period of care (P)")
                        e.rne = "P"
                    } else if e.rne == SSDA903Codes.List.unknown {
                        e.rne = "P"
                    }
                } else if e.rne != "S" {
                    if e.rne != SSDA903Codes.List.unknown {
                        note("RNE", "\(e.rne) (a change within a period of care), but the period ended \(p.dec.map { "\($0)" } ?? "") (REC \(recGiven)): a new period starts with S",
                             "read as the start of a new period of care (S)")
                    }
                    e.rne = "S"
                }
                out[out.count - 1] = p
            } else if e.rne == SSDA903Codes.List.unknown {
                // The first row: not read as a start (that would invent one): it goes on from the period the store
                // has open, or the period's start is marked as not known.
                e.rne = "P"
            }
            out.append(e)
        }
        if var last = out.last {
            if last.rec == "X1" {
                aside.append(CSVIssue(file: last.file, line: last.line, column: "REC", message: "child \(child): X1 (a new episode the same day), but no episode follows it")
                    .settingAside("the episode is taken to be still open, so reminders go on"))
                (last.dec, last.rec) = (nil, nil)
            } else if last.rec == SSDA903Codes.List.unknown {
                last.rec = "E8"  // ended on DEC, nothing after it: the period ended, for a reason not known
            }
            out[out.count - 1] = last
        }
        return out
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
        for (i, row) in eps.enumerated() {
            var e = row
            // A legal status set aside (lenient) is taken to be unchanged.
            if e.ls == SSDA903Codes.List.unknown, e.rne != "S", periodStart != nil, let last = lastLS { e.ls = last }
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
            // A placement type set aside (lenient): a placement of a type not known, visited as the general rule asks.
            let placementKind = e.place == SSDA903Codes.List.unknown ? .some("placed") : SSDA903Codes.placement(e.place, legalStatus: e.ls)
            if SSDA903Codes.rnePlacementChange.contains(e.rne), let placement = placementKind {
                // Accommodated under an agreed series of short-term breaks (LS V3: each stay an episode; V4: the
                // agreement an episode): a stay of the series, with its own reviews and visits (CPPCR reg 48),
                // not an ordinary placement.
                if var kind = placement {
                    if SSDA903Codes.shortBreaks.contains(e.ls) && !SSDA903Codes.adoptiveEvents.contains(kind) { kind = "placed-short-break" }
                    // Back from a temporary move to the same placement: it goes on, nothing starts again.
                    let backFromMove = placeBeforeMove != nil && placeBeforeMove == e.place && e.rne != "S"
                    // Placed for adoption with the same carers under a new authority (A3 with consent, then A5
                    // once a placement order is made): the same adoptive placement goes on (AAR 2005 reg 36
                    // runs from the day the child was placed, not from the order).
                    let sameAdoptivePlacement = SSDA903Codes.adoptiveEvents.contains(kind) && lastKind.map(SSDA903Codes.adoptiveEvents.contains) == true
                        && SSDA903Codes.rneSameCarers.contains(e.rne)
                    if !backFromMove && !sameAdoptivePlacement {
                        // Out of a placement for adoption into another kind (a disruption): the adoptive
                        // placement ends, and the reviews suspended while it lasted resume.
                        if lastKind.map(SSDA903Codes.adoptiveEvents.contains) == true && !SSDA903Codes.adoptiveEvents.contains(kind) {
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
            // A legal status set aside records nothing, and the next known one is taken as the status then in
            // force (no order date is recorded from either row).
            if e.ls != lastLS && e.ls != SSDA903Codes.List.unknown && lastLS != SSDA903Codes.List.unknown {
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
    /// A period that began before the data (`looked-after-before`) reaches back to the end of the one before it:
    /// a review the extract gives before its first row was held while it was open.
    private func periodsOf(_ events: [Mapped], continuing: LocalDate?) -> [(LocalDate, LocalDate?)] {
        var out: [(LocalDate, LocalDate?)] = []
        var start: LocalDate? = events.first.map { $0.kind == "became-looked-after" || $0.kind == "looked-after-before" } == true ? nil : continuing
        for e in events {
            if e.kind == "became-looked-after" { start = e.date }
            if e.kind == "looked-after-before" { start = out.last.map { $0.1.map { $0.adding(days: 1) } ?? e.date } ?? Self.longAgo }
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

        /// A date written `DD/MM/YYYY`, or nil (saying nothing) when the cell is empty or not such a date.
        func dateIfValid(_ name: String) -> LocalDate? {
            guard let v = cell(name) else { return nil }
            let parts = v.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]) else { return nil }
            return LocalDate(year: y, month: m, day: d)
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
