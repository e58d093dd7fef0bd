/// Reads case rows: `case_ref,plan,calendar` plus optional `initials,packs` and one column per role
/// holding the assigned worker.
public struct CaseTable: Sendable {
    public static let required = ["case_ref", "plan", "calendar"]
    public static let optional = ["initials", "packs"]

    let header: CSVHeader
    let file: String
    let ruleSet: RuleSet
    /// What every row is checked against, worked out once for the file.
    private let plans: [String]
    private let packIDs: Set<String>
    /// The roles this file has a column for.
    private let roleColumns: [String]

    public init(header record: CSVParser.Record, file: String, ruleSet: RuleSet) throws(CSVErrors) {
        let roles = Set(ruleSet.vocabulary.roles.map(\.name))
        self.header = try CSVHeader(
            record, file: file, required: Self.required, optional: Self.optional + ruleSet.vocabulary.roles.map(\.name),
            extra: roles.contains)
        self.file = file
        self.ruleSet = ruleSet
        plans = ruleSet.vocabulary.plans.map(\.name)
        packIDs = Set(ruleSet.packs.map(\.id))
        roleColumns = ruleSet.vocabulary.roles.map(\.name).filter(header.names.contains)
    }

    /// Whether a header is a cases header.
    public static func matches(_ record: CSVParser.Record) -> Bool {
        let names = headerNames(record)
        return required.allSatisfy(names.contains) && !names.contains("event")
    }

    public func decode(_ record: CSVParser.Record, issues: inout [CSVIssue]) -> ChildCase? {
        guard var row = RowReader(record, header: header, file: file, issues: &issues) else { return nil }
        defer { issues += row.issues }
        let ref = row.required("case_ref")
        let plan = row.required("plan", "empty; give the care plan, e.g. adoption")
        if let plan, !ruleSet.vocabulary.hasPlan(plan) {
            row.fail("plan", "unknown plan '\(plan)'\(didYouMean(plan, plans)); expected one of \(plans.joined(separator: ", "))")
        }
        let calendar = row.cell("calendar") ?? ruleSet.configuration.defaultCalendar
        if ruleSet.calendars[calendar] == nil {
            row.fail("calendar", "unknown calendar '\(calendar)'\(didYouMean(calendar, ruleSet.calendars.keys)); expected one of "
                + ruleSet.calendars.keys.sorted().joined(separator: ", "))
        }
        var packs: [String] = []
        if let p = row.cell("packs") {
            for id in p.split(whereSeparator: { $0 == ";" || $0 == " " }).map(String.init) {
                if packIDs.contains(id) { packs.append(id) } else { row.fail("packs", "unknown pack '\(id)'\(didYouMean(id, packIDs))") }
            }
        }
        // Room for every role column from the start: no table grown three times over for every row.
        var assignments = [String: String](minimumCapacity: roleColumns.count)
        for role in roleColumns {
            if let w = row.cell(role) { assignments[role] = w }
        }
        guard row.issues.isEmpty, let ref, let plan else { return nil }
        return ChildCase(
            reference: ref, initials: row.cell("initials"), plan: plan, calendar: calendar, packs: packs,
            assignments: assignments)
    }

    /// Decodes a whole file; all or nothing.
    public static func decode(file: String, text: String, ruleSet: RuleSet) throws(CSVErrors) -> [ChildCase] {
        let r = try read(file: file, text: text, ruleSet: ruleSet)
        guard r.issues.isEmpty else { throw CSVErrors(r.issues) }
        return r.cases
    }

    /// Every row of a file: the cases of its good rows, the problems of its bad ones, and every case reference
    /// it names, good row or bad (the events of a case whose row is bad are not also "of an unknown case":
    /// one bad row is reported once).
    public static func read(file: String, text: String, ruleSet: RuleSet) throws(CSVErrors)
        -> (cases: [ChildCase], issues: [CSVIssue], named: Set<String>)
    {
        let (header, rows) = try CSVHeader.records(file: file, text: text, expectedHeader: "case_ref,plan,calendar")
        let table = try CaseTable(header: header, file: file, ruleSet: ruleSet)
        var issues: [CSVIssue] = []
        var cases: [ChildCase] = []
        var seen: [String: Int] = [:]
        var named = Set<String>()
        for r in rows {
            if let ref = table.reference(r) { named.insert(ref) }
            guard let c = table.decode(r, issues: &issues) else { continue }
            if let line = seen[c.reference] {
                issues.append(CSVIssue(file: file, line: r.line, column: "case_ref", message: "'\(c.reference)' appears twice (first at line \(line))"))
                continue
            }
            seen[c.reference] = r.line
            cases.append(c)
        }
        return (cases, issues, named)
    }

    /// The case reference a row names, whatever else is wrong with it.
    public func reference(_ record: CSVParser.Record) -> String? {
        guard let k = header.columns["case_ref"], k < record.fields.count else { return nil }
        let ref = String(record.fields[k].trimmingSpaces)
        return ref.isEmpty ? nil : ref
    }
}
