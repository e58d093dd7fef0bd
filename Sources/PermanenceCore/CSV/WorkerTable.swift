import SMTPCore
/// Reads worker rows: `worker_id,name` plus optional `email,roles,manager_id,display_name` (roles separated by
/// spaces or `;`; `display_name` is what emails call the worker, where `name` is the directory's).
public struct WorkerTable: Sendable {
    public static let required = ["worker_id", "name"]
    public static let optional = ["email", "roles", "manager_id", "display_name"]

    /// One decoded row.
    public struct Row: Sendable, Equatable {
        public var id: String
        public var name: String
        public var email: String?
        public var roles: [String]
        public var manager: String?
        public var displayName: String?
    }

    let header: CSVHeader
    let file: String
    let ruleSet: RuleSet

    public init(header record: CSVParser.Record, file: String, ruleSet: RuleSet) throws(CSVErrors) {
        self.header = try CSVHeader(record, file: file, required: Self.required, optional: Self.optional, extra: { _ in false })
        self.file = file
        self.ruleSet = ruleSet
    }

    public static func matches(_ record: CSVParser.Record) -> Bool {
        required.allSatisfy(headerNames(record).contains)
    }

    public func decode(_ record: CSVParser.Record, issues: inout [CSVIssue]) -> Row? {
        guard var row = RowReader(record, header: header, file: file, issues: &issues) else { return nil }
        defer { issues += row.issues }
        let id = row.required("worker_id")
        if let id, let problem = WorkerID.problem(id) { row.fail("worker_id", problem) }
        let name = row.required("name")
        let email = row.cell("email")
        if let email, let problem = EmailAddress.problem(email) {
            row.fail("email", "'\(email)' is not an email address: \(problem)")
        }
        let known = ruleSet.vocabulary.roles.map(\.name)
        var roles: [String] = []
        for r in (row.cell("roles") ?? "").split(whereSeparator: { $0 == ";" || $0 == " " }).map(String.init) {
            if known.contains(r) { roles.append(r) } else { row.fail("roles", "unknown role '\(r)'\(didYouMean(r, known))") }
        }
        guard row.issues.isEmpty, let id, let name else { return nil }
        return Row(id: id, name: name, email: email, roles: roles, manager: row.cell("manager_id"), displayName: row.cell("display_name"))
    }
}

/// Reads assignment rows: `case_ref,role,worker_id,from` plus optional `to`.
public struct AssignmentTable: Sendable {
    public static let required = ["case_ref", "role", "worker_id", "from"]
    public static let optional = ["to"]

    public struct Row: Sendable, Equatable {
        public var caseRef: String
        public var role: String
        public var worker: String
        public var from: Instant
        public var to: Instant?
    }

    let header: CSVHeader
    let file: String
    let ruleSet: RuleSet

    public init(header record: CSVParser.Record, file: String, ruleSet: RuleSet) throws(CSVErrors) {
        self.header = try CSVHeader(record, file: file, required: Self.required, optional: Self.optional, extra: { _ in false })
        self.file = file
        self.ruleSet = ruleSet
    }

    public static func matches(_ record: CSVParser.Record) -> Bool {
        required.allSatisfy(headerNames(record).contains)
    }

    public func decode(_ record: CSVParser.Record, issues: inout [CSVIssue]) -> Row? {
        guard var row = RowReader(record, header: header, file: file, issues: &issues) else { return nil }
        defer { issues += row.issues }
        let ref = row.required("case_ref")
        let role = row.required("role")
        let known = ruleSet.vocabulary.roles.map(\.name)
        if let role, !known.contains(role) { row.fail("role", "unknown role '\(role)'\(didYouMean(role, known))") }
        let worker = row.required("worker_id")
        func time(_ column: String) -> Instant? {
            guard let text = row.cell(column) else { return nil }
            do {
                switch try TimePoint.parse(text, zone: ruleSet.zone) {
                case .date(let d): return ruleSet.zone.startOfDay(d)
                case .dateTime(_, let i): return i
                }
            } catch {
                row.fail(column, error.description)
                return nil
            }
        }
        if row.cell("from") == nil { row.fail("from", "empty; give the date the assignment starts") }
        let from = time("from")
        let to = time("to")
        if let from, let to, to < from { row.fail("to", "the assignment ends before it starts") }
        guard row.issues.isEmpty, let ref, let role, let worker, let from else { return nil }
        return Row(caseRef: ref, role: role, worker: worker, from: from, to: to)
    }
}
