import TOML

/// The main configuration file (`/etc/permanenced/permanenced.toml`) as admins tune it.
public struct Configuration: Sendable {
    /// IANA time zone for every date and time in and out (default `Europe/London`).
    public var timeZone: String = "Europe/London"
    /// Calendar for cases that name none.
    public var defaultCalendar: String = Nation.englandAndWales.rawValue
    /// Directory of rule packs, relative to the configuration file.
    public var rulesDirectory: String = "rules.d"
    /// The vocabulary file, relative to the configuration file.
    public var vocabularyFile: String = "vocabulary.toml"
    /// The shipped defaults, read-only (`shipped`, e.g. `/usr/share/permanenced` from the Debian package):
    /// its `rules.d/*.toml`, `vocabulary.toml` and `templates/` apply unless the admin's own file of the
    /// same name (in `rules`, `vocabulary`, `[email] templates`) replaces it. Nil: only the admin's files.
    public var shippedDirectory: String?
    /// Packs applied to cases that list none; empty means every pack.
    public var defaultPacks: [String] = []
    /// The SQLite store (`[store] path`).
    public var storePath: String = "/var/lib/permanenced/permanenced.sqlite"
    /// Directory watched for CSV files to import (`[store] inbox`).
    public var inboxPath: String = "/var/lib/permanenced/inbox"
    /// The key of the audit chain's HMAC (`[store] audit-key`): a file of at least 32 bytes; relative, a
    /// systemd credential found as `Credentials.path` says. Nil: a key file kept beside the store.
    public var auditKeyFile: String?
    /// What goes before each SSDA903 CHILD id to make the case reference (`[store] ssda903-case-prefix`), for
    /// the inbox and the default of `import --format ssda903`.
    public var ssda903CasePrefix: String = ""
    /// The inbox imports an SSDA903 extract as `import --lenient` does (`[store] ssda903-lenient`): a child
    /// with a problem is left out and listed beside the processed tables, the rest imported.
    public var ssda903Lenient = false
    /// `[scorecard]`: the adoption scorecard's thresholds (the DfE's, as configuration).
    public var scorecard = AdoptionScorecard.Thresholds()
    /// Local time at which date-only notices (reminders, due, overdue) go out.
    public var dayStart: Int = 9 * 3600
    /// Where the daemon's notifications and log go (`[journal] target`).
    public var journalTarget: JournalTarget = .auto
    /// Put a case's display initials in journal messages (`[journal] show-initials`; off by default).
    public var journalShowsInitials = false
    /// Email delivery (`[email]`; off unless enabled).
    public var email = EmailConfiguration()
    /// Prometheus metrics (`[metrics]`; off unless `listen` is set).
    public var metrics = MetricsConfiguration()

    /// `auto`: the journal when journald listens, stderr with `<N>` priority prefixes otherwise.
    public enum JournalTarget: String, Sendable, CaseIterable {
        case auto, journal, stderr
    }
    /// Calendars by name, each a nation with the authority's adjustments: one named after each nation's bank
    /// holidays (`england-and-wales`, England's) and one after each jurisdiction (`england`, `wales`, ...).
    public var calendars: [CalendarDefinition] = Nation.allCases.map {
        CalendarDefinition(name: $0.rawValue, nation: $0, jurisdiction: Jurisdiction.implied(calendar: $0.rawValue, nation: $0), adjustments: .none, line: 0)
    } + [Jurisdiction.england, .wales].map {
        CalendarDefinition(name: $0.rawValue, nation: $0.nation, jurisdiction: $0, adjustments: .none, line: 0)
    }
    public var file: String = ""
    /// Line of each top-level key, for messages.
    public var keyLines: [String: Int] = [:]

    /// A named working calendar.
    public struct CalendarDefinition: Sendable {
        public var name: String
        public var nation: Nation
        /// Whose law governs its cases (which statutory packs apply).
        public var jurisdiction: Jurisdiction
        public var adjustments: CalendarAdjustments
        public var line: Int
    }

    public init() {}

    static func decode(file: String, text: String, diagnostics: Diagnostics) -> Configuration? {
        guard var top = TableReader.root(file: file, text: text, diagnostics: diagnostics) else { return nil }
        let root = top.table
        var c = Configuration()
        c.file = file
        for k in root.keys { c.keyLines[k] = root[k]!.line }
        if let s = top.string("time-zone") { c.timeZone = s }
        if let s = top.string("default-calendar") { c.defaultCalendar = s }
        if let s = top.string("rules") { c.rulesDirectory = s }
        if let s = top.string("vocabulary") { c.vocabularyFile = s }
        if let s = top.string("shipped") { c.shippedDirectory = s }
        c.defaultPacks = top.strings("default-packs").map(\.0)
        if var n = top.table("notify") {
            if let s = n.string("day-start") {
                if let t = parseClockTime(s) {
                    c.dayStart = t
                } else {
                    n.report("day-start", n.lineOf("day-start"), "'\(s)' is not a time HH:MM")
                }
            }
            n.finish()
        }
        if var j = top.table("journal") {
            if let s = j.string("target") {
                if let t = JournalTarget(rawValue: s) {
                    c.journalTarget = t
                } else {
                    j.report("target", j.lineOf("target"),
                        "'\(s)' is not one of \(JournalTarget.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            if let b = j.bool("show-initials") { c.journalShowsInitials = b }
            j.finish()
        }
        if var e = top.table("email") {
            c.email = EmailConfiguration.decode(&e)
            e.finish()
        }
        if var m = top.table("metrics") {
            c.metrics = MetricsConfiguration.decode(&m)
            m.finish()
        }
        if var st = top.table("store") {
            if let p = st.string("path") { c.storePath = p }
            if let p = st.string("inbox") { c.inboxPath = p }
            if let p = st.string("audit-key") { c.auditKeyFile = p }
            if let b = st.bool("ssda903-lenient") { c.ssda903Lenient = b }
            if let p = st.string("ssda903-case-prefix") {
                if let problem = SSDA903Extract.problem(withPrefix: p) {
                    st.report("ssda903-case-prefix", st.lineOf("ssda903-case-prefix"), "'\(p)': \(problem)")
                } else {
                    c.ssda903CasePrefix = p
                }
            }
            st.finish()
        }
        if var sc = top.table("scorecard") {
            for k in ["a1", "a2", "a3"] {
                guard let o = sc.offset(k) else { continue }
                if o.amount <= 0 || o.unit == .hours || o.unit == .workingDays {
                    sc.report(k, sc.lineOf(k), "a threshold is a positive number of days, weeks or months, e.g. \"426d\"")
                } else if k == "a1" {
                    c.scorecard.a1 = o
                } else if k == "a2" {
                    c.scorecard.a2 = o
                } else {
                    c.scorecard.a3 = o
                }
            }
            sc.finish()
        }
        if var cals = top.table("calendars") {
            for (name, var t) in cals.subtables() {
                var nation = Nation(rawValue: name) ?? Jurisdiction(rawValue: name)?.nation
                if let s = t.string("nation") {
                    nation = Nation(rawValue: s)
                    if nation == nil {
                        t.report("nation", t.lineOf("nation"),
                            "'\(s)' is not one of \(Nation.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                } else if nation == nil {
                    t.report("nation", t.line, "missing; a calendar not named after a nation must say which nation's bank holidays it starts from")
                }
                var adj = CalendarAdjustments()
                for var e in t.tables("closed-annually", name: { _, i in "calendars.\(name).closed-annually[\(i + 1)]" }) {
                    let s = e.string("date", required: true) ?? ""
                    let label = e.string("name") ?? "Closure"
                    let parts = s.split(separator: "-")
                    if parts.count == 2, let m = Int(parts[0]), let d = Int(parts[1]), LocalDate(year: 2000, month: m, day: d) != nil {
                        adj.closedAnnually.append(.init(month: m, day: d, name: label))
                    } else if !s.isEmpty {
                        e.report("date", e.lineOf("date"), "'\(s)' is not a month and day MM-DD, e.g. \"12-24\"")
                    }
                    e.finish()
                }
                for key in ["add", "proclaimed"] {
                    for var e in t.tables(key, name: { _, i in "calendars.\(name).\(key)[\(i + 1)]" }) {
                        let date = readDate(&e, "date")
                        let label = e.string("name", required: true) ?? ""
                        if let date {
                            if key == "add" { adj.added.append(Holiday(date: date, name: label)) } else { adj.proclaimed.append(Holiday(date: date, name: label)) }
                        }
                        e.finish()
                    }
                }
                for (s, line) in t.strings("remove") {
                    if case .date(let d)? = try? TimePoint.parse(s, zone: .utc) {
                        adj.removed.append(d)
                    } else {
                        t.report("remove", line, "'\(s)' is not a date YYYY-MM-DD")
                    }
                }
                t.finish()
                var jurisdiction = Jurisdiction.implied(calendar: name, nation: nation ?? .englandAndWales)
                if let s = t.string("jurisdiction") {
                    if let j = Jurisdiction(rawValue: s), j.nation == (nation ?? .englandAndWales) {
                        jurisdiction = j
                    } else if let j = Jurisdiction(rawValue: s) {
                        t.report("jurisdiction", t.lineOf("jurisdiction"),
                            "\(j.displayName) does not use \((nation ?? .englandAndWales).displayName) bank holidays; set nation = \"\(j.nation.rawValue)\" or another jurisdiction")
                    } else {
                        t.report("jurisdiction", t.lineOf("jurisdiction"),
                            "'\(s)' is not one of \(Jurisdiction.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                }
                let definition = CalendarDefinition(
                    name: name, nation: nation ?? .englandAndWales, jurisdiction: jurisdiction, adjustments: adj, line: t.line)
                if let i = c.calendars.firstIndex(where: { $0.name == name }) {
                    c.calendars[i] = definition
                } else {
                    c.calendars.append(definition)
                }
            }
            cals.finish()
        }
        top.finish()
        // Removing a day that is not a holiday is almost certainly a mistake.
        for cal in c.calendars {
            for d in cal.adjustments.removed {
                let isHoliday = BankHolidays.holidays(cal.nation, year: d.year).contains { $0.date == d }
                    || cal.adjustments.closedAnnually.contains { $0.month == d.components.month && $0.day == d.components.day }
                    || cal.adjustments.proclaimed.contains { $0.date == d }
                if !isHoliday {
                    diagnostics.report(file, cal.line, "calendars.\(cal.name).remove",
                        "\(d) is not a bank holiday or closure in \(cal.nation.displayName); nothing to remove")
                }
            }
        }
        return c
    }

    private static func readDate(_ t: inout TableReader, _ key: String) -> LocalDate? {
        guard let s = t.string(key, required: true) else { return nil }
        if case .date(let d)? = try? TimePoint.parse(s, zone: .utc) { return d }
        t.report(key, t.lineOf(key), "'\(s)' is not a date YYYY-MM-DD")
        return nil
    }
}
