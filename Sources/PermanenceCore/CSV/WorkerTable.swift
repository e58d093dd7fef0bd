/// Reads worker rows: `worker_id,name` plus optional `email,roles,manager_id` (roles separated by spaces or `;`).
public struct WorkerTable: Sendable {
    public static let required = ["worker_id", "name"]
    public static let optional = ["email", "roles", "manager_id"]

    /// One decoded row.
    public struct Row: Sendable, Equatable {
        public var id: String
        public var name: String
        public var email: String?
        public var roles: [String]
        public var manager: String?
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
        let names = Set(record.fields.map { String($0.trimmingSpaces).lowercased() })
        return required.allSatisfy(names.contains)
    }

    public func decode(_ record: CSVParser.Record, issues: inout [CSVIssue]) -> Row? {
        let before = issues.count
        func fail(_ column: String, _ message: String) {
            issues.append(CSVIssue(file: file, line: record.line, column: column, message: message))
        }
        if record.fields.count != header.names.count {
            fail("", "expected \(header.names.count) fields, found \(record.fields.count)")
            return nil
        }
        let id = header.cell("worker_id", record)
        if id == nil { fail("worker_id", "empty") }
        let name = header.cell("name", record)
        if name == nil { fail("name", "empty") }
        let email = header.cell("email", record)
        if let email, !email.contains("@") || email.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) {
            fail("email", "'\(email)' is not an email address")
        }
        let known = ruleSet.vocabulary.roles.map(\.name)
        var roles: [String] = []
        for r in (header.cell("roles", record) ?? "").split(whereSeparator: { $0 == ";" || $0 == " " }).map(String.init) {
            if known.contains(r) { roles.append(r) } else { fail("roles", "unknown role '\(r)'\(didYouMean(r, known))") }
        }
        guard issues.count == before, let id, let name else { return nil }
        return Row(id: id, name: name, email: email, roles: roles, manager: header.cell("manager_id", record))
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
        let names = Set(record.fields.map { String($0.trimmingSpaces).lowercased() })
        return required.allSatisfy(names.contains)
    }

    public func decode(_ record: CSVParser.Record, issues: inout [CSVIssue]) -> Row? {
        let before = issues.count
        func fail(_ column: String, _ message: String) {
            issues.append(CSVIssue(file: file, line: record.line, column: column, message: message))
        }
        if record.fields.count != header.names.count {
            fail("", "expected \(header.names.count) fields, found \(record.fields.count)")
            return nil
        }
        let ref = header.cell("case_ref", record)
        if ref == nil { fail("case_ref", "empty") }
        let role = header.cell("role", record)
        let known = ruleSet.vocabulary.roles.map(\.name)
        if let role, !known.contains(role) { fail("role", "unknown role '\(role)'\(didYouMean(role, known))") }
        if role == nil { fail("role", "empty") }
        let worker = header.cell("worker_id", record)
        if worker == nil { fail("worker_id", "empty") }
        func time(_ column: String) -> Instant? {
            guard let text = header.cell(column, record) else { return nil }
            do {
                switch try TimePoint.parse(text, zone: ruleSet.zone) {
                case .date(let d): return ruleSet.zone.startOfDay(d)
                case .dateTime(_, let i): return i
                }
            } catch {
                fail(column, error.description)
                return nil
            }
        }
        let from = time("from")
        if header.cell("from", record) == nil { fail("from", "empty; give the date the assignment starts") }
        let to = time("to")
        if let from, let to, to < from { fail("to", "the assignment ends before it starts") }
        guard issues.count == before, let ref, let role, let worker, let from else { return nil }
        return Row(caseRef: ref, role: role, worker: worker, from: from, to: to)
    }
}
