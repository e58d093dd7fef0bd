/// Reads event rows: `case_ref,event,at` plus optional `event_id,note,supersedes,withdrawn`.
///
/// Bound to a header once, then decodes rows one at a time, so a caller can stream a file of any size.
public struct EventTable: Sendable {
    public static let required = ["case_ref", "event", "at"]
    public static let optional = ["event_id", "note", "supersedes", "withdrawn"]

    let header: CSVHeader
    let file: String
    let ruleSet: RuleSet

    public init(header record: CSVParser.Record, file: String, ruleSet: RuleSet) throws(CSVErrors) {
        self.header = try CSVHeader(record, file: file, required: Self.required, optional: Self.optional, extra: { _ in false })
        self.file = file
        self.ruleSet = ruleSet
    }

    /// Whether a header is an events header.
    public static func matches(_ record: CSVParser.Record) -> Bool {
        required.allSatisfy(headerNames(record).contains)
    }

    /// One row as an event, or nil with the reasons appended to `issues`.
    public func decode(_ record: CSVParser.Record, issues: inout [CSVIssue]) -> CaseEvent? {
        guard var row = RowReader(record, header: header, file: file, issues: &issues) else { return nil }
        defer { issues += row.issues }
        let caseRef = row.required("case_ref", "empty; every event belongs to a case")
        let kind = row.required("event", "empty; name the event, e.g. placed-for-adoption")
        if let kind, ruleSet.eventKind(kind) == nil {
            row.fail("event", "unknown event '\(kind)'\(didYouMean(kind, ruleSet.vocabulary.events.map(\.name)))")
        }
        var point: TimePoint?
        if let text = row.required("at", "empty; give the date or date-time of the event") {
            do {
                point = try TimePoint.parse(text, zone: ruleSet.zone)
            } catch {
                row.fail("at", error.description)
            }
        }
        guard row.issues.isEmpty, let caseRef, let kind, let point else { return nil }
        let (instant, dateOnly): (Instant, Bool) = {
            switch point {
            case .date(let d): return (ruleSet.zone.startOfDay(d), true)
            case .dateTime(_, let i): return (i, false)
            }
        }()
        let id = row.cell("event_id") ?? "\(caseRef)/\(kind)/\(point)"
        return CaseEvent(
            id: id, caseRef: caseRef, kind: kind, at: instant, dateOnly: dateOnly, note: row.cell("note"),
            supersedes: row.cell("supersedes"), withdrawn: row.cell("withdrawn") != nil)
    }

    /// Decodes a whole file; all or nothing. With `knownCases`, an event for any other case is an error.
    public static func decode(file: String, text: String, ruleSet: RuleSet, knownCases: Set<String>? = nil)
        throws(CSVErrors) -> [CaseEvent]
    {
        let (header, rows) = try CSVHeader.records(file: file, text: text, expectedHeader: "case_ref,event,at")
        let table = try EventTable(header: header, file: file, ruleSet: ruleSet)
        var issues: [CSVIssue] = []
        var events: [CaseEvent] = []
        var seen: [String: (CaseEvent, Int)] = [:]
        for r in rows {
            guard let e = table.decode(r, issues: &issues) else { continue }
            if let knownCases, !knownCases.contains(e.caseRef) {
                issues.append(CSVIssue(file: file, line: r.line, column: "case_ref", message: "unknown case '\(e.caseRef)'"))
                continue
            }
            if let (previous, line) = seen[e.id] {
                if previous != e {
                    issues.append(CSVIssue(file: file, line: r.line, column: "event_id",
                        message: "'\(e.id)' is used again with different content (first at line \(line))"))
                }
                continue
            }
            seen[e.id] = (e, r.line)
            events.append(e)
        }
        guard issues.isEmpty else { throw CSVErrors(issues) }
        return events
    }
}
