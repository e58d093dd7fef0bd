import TOML

/// The words cases and rules share: plans, roles and event kinds, each with what it means in practice.
public struct Vocabulary: Sendable {
    /// A kind of event a case can record.
    public struct EventKind: Sendable {
        public var name: String
        /// What the event means in practice, for admins and for `docs/events.md`.
        public var meaning: String
        /// Other kinds this one also counts as (a `six-week-review` is also a `review`).
        public var countsAs: [String]
        public var line: Int
    }

    public var plans: [(name: String, meaning: String)]
    public var roles: [(name: String, title: String)]
    public var events: [EventKind]
    public var file: String

    public func role(_ name: String) -> (name: String, title: String)? { roles.first { $0.name == name } }
    public func event(_ name: String) -> EventKind? { events.first { $0.name == name } }
    public func hasPlan(_ name: String) -> Bool { plans.contains { $0.name == name } }

    static func decode(file: String, text: String, diagnostics: Diagnostics) -> Vocabulary? {
        guard var top = TableReader.root(file: file, text: text, diagnostics: diagnostics) else { return nil }
        var plans: [(String, String)] = []
        var roles: [(String, String)] = []
        var events: [EventKind] = []
        if var t = top.table("plans") {
            for k in t.table.keys { if let s = t.string(k, required: true) { plans.append((k, s)) } }
            t.finish()
        } else {
            diagnostics.report(file, 1, "plans", "missing; list the care plans, e.g. adoption = \"...\"")
        }
        if var t = top.table("roles") {
            for k in t.table.keys { if let s = t.string(k, required: true) { roles.append((k, s)) } }
            t.finish()
        } else {
            diagnostics.report(file, 1, "roles", "missing; list the roles that own and hear about deadlines")
        }
        if var t = top.table("events") {
            for (name, var e) in t.subtables() {
                let meaning = e.string("means", required: true) ?? ""
                let countsAs = e.strings("counts-as")
                events.append(EventKind(name: name, meaning: meaning, countsAs: countsAs.map(\.0), line: e.line))
                e.finish()
            }
            t.finish()
        } else {
            diagnostics.report(file, 1, "events", "missing; define each event kind as [events.NAME] with means = \"...\"")
        }
        top.finish()
        let names = Set(events.map(\.name))
        for e in events {
            for c in e.countsAs where !names.contains(c) {
                diagnostics.report(file, e.line, "events.\(e.name).counts-as", "unknown event '\(c)'\(didYouMean(c, names))")
            }
        }
        return Vocabulary(plans: plans, roles: roles, events: events, file: file)
    }
}
