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
        /// What the event means for a deadline it closes, in words (`the child was adopted`); nil to take the
        /// words of a kind it counts as.
        public var closes: String? = nil
        /// The event marks a period that had already begun, on a day not in the data (`start-unknown = true`):
        /// a deadline counted from that period's start cannot be worked out from it.
        public var startUnknown = false
        public var line: Int
        /// The file it was defined in (the vocabulary, or a drop-in in `vocabulary.d`).
        public var file: String = ""
    }

    /// A kind of period a case passes through, derived from its events: a period of being looked after (an
    /// episode), a placement, a legal stage. Rules can be scoped to one (`scope`) or suspended while one holds.
    public struct PeriodKind: Sendable {
        public var name: String
        public var meaning: String
        /// Events that start one (with their `counts-as` kinds).
        public var starts: [String]
        /// Events that end the open one.
        public var ends: [String]
        /// A start while one is open ends it and begins the next (a move to another placement); otherwise
        /// the open one goes on (a second "became looked after" inside a period of care changes nothing).
        public var restarts: Bool
        /// What a person calls one (`period of care`), for messages; nil for its name.
        public var called: String? = nil
        public var line: Int
        /// Line of each key, for messages.
        public var keyLines: [String: Int] = [:]
        /// The file it was defined in.
        public var file: String = ""
    }

    public var plans: [(name: String, meaning: String)]
    public var roles: [(name: String, title: String)]
    public var events: [EventKind]
    public var periods: [PeriodKind] = []
    /// For a role a case has nobody in, the role whose worker stands in (`permanence-sw = "social-worker"`):
    /// a Calderdale case has no permanence social worker, and its adoption reminders go to the child's.
    public var standIns: [String: String] = [:]
    /// Where each stand-in was written.
    var standInAt: [String: SourceLocation] = [:]
    public var file: String
    /// The drop-ins (`vocabulary.d/*.toml`) merged into it, in order.
    public var dropIns: [String] = []

    public func role(_ name: String) -> (name: String, title: String)? { roles.first { $0.name == name } }
    public func event(_ name: String) -> EventKind? { events.first { $0.name == name } }
    public func hasPlan(_ name: String) -> Bool { plans.contains { $0.name == name } }
    public func period(_ name: String) -> PeriodKind? { periods.first { $0.name == name } }

    /// What an event of this kind means for a deadline it closes, in words: its own `closes`, else that of
    /// the first kind it counts as that has one (breadth first), else that it was recorded.
    public func closingWords(_ kind: String) -> String {
        var queue = [kind]
        var seen: Set<String> = []
        var i = 0
        while i < queue.count {
            let k = queue[i]
            i += 1
            guard seen.insert(k).inserted, let e = event(k) else { continue }
            if let words = e.closes { return words }
            queue += e.countsAs
        }
        return "\(kind) was recorded"
    }

    /// Reads a vocabulary file; `dropIn` for a file of `vocabulary.d`, which may give any of the tables (a
    /// drop-in adds to the vocabulary, or replaces an entry of the same name). Cross-references are checked by
    /// `validate`, once the drop-ins are merged.
    static func decode(file: String, text: String, diagnostics: Diagnostics, dropIn: Bool = false) -> Vocabulary? {
        guard var top = TableReader.root(file: file, text: text, diagnostics: diagnostics) else { return nil }
        var plans: [(String, String)] = []
        var roles: [(String, String)] = []
        var events: [EventKind] = []
        if var t = top.table("plans") {
            for k in t.table.keys { if let s = t.string(k, required: true) { plans.append((k, s)) } }
            t.finish()
        } else if !dropIn {
            diagnostics.report(file, 1, "plans", "missing; list the care plans, e.g. adoption = \"...\"")
        }
        if var t = top.table("roles") {
            for k in t.table.keys { if let s = t.string(k, required: true) { roles.append((k, s)) } }
            t.finish()
        } else if !dropIn {
            diagnostics.report(file, 1, "roles", "missing; list the roles that own and hear about deadlines")
        }
        if var t = top.table("events") {
            for (name, var e) in t.subtables() {
                let meaning = e.string("means", required: true) ?? ""
                let countsAs = e.strings("counts-as")
                let closes = e.string("closes")
                let startUnknown = e.bool("start-unknown") ?? false
                events.append(EventKind(name: name, meaning: meaning, countsAs: countsAs.map(\.0), closes: closes, startUnknown: startUnknown,
                                        line: e.line, file: file))
                e.finish()
            }
            t.finish()
        } else if !dropIn {
            diagnostics.report(file, 1, "events", "missing; define each event kind as [events.NAME] with means = \"...\"")
        }
        var standIns: [String: String] = [:]
        var standInAt: [String: SourceLocation] = [:]
        if var t = top.table("stand-ins") {
            for k in t.table.keys {
                standInAt[k] = SourceLocation(file: file, line: t.lineOf(k))
                if let s = t.string(k, required: true) { standIns[k] = s }
            }
            t.finish()
        }
        var periods: [PeriodKind] = []
        if var t = top.table("periods") {
            for (name, var p) in t.subtables() {
                let meaning = p.string("means", required: true) ?? ""
                let starts = p.strings("starts", required: true).map(\.0)
                let ends = p.strings("ends").map(\.0)
                let restarts = p.bool("restarts") ?? false
                let called = p.string("called")
                periods.append(PeriodKind(
                    name: name, meaning: meaning, starts: starts, ends: ends, restarts: restarts, called: called, line: p.line,
                    keyLines: ["starts": p.lineOf("starts"), "ends": p.lineOf("ends")], file: file))
                p.finish()
            }
            t.finish()
        }
        top.finish()
        var v = Vocabulary(plans: plans, roles: roles, events: events, periods: periods, standIns: standIns, file: file)
        v.standInAt = standInAt
        return v
    }

    /// Adds a drop-in's entries: a name not yet defined is added, one already defined is replaced by the
    /// drop-in's definition (an admin's wording of a role, an event that counts as another).
    mutating func merge(_ other: Vocabulary) {
        for p in other.plans {
            if let i = plans.firstIndex(where: { $0.name == p.name }) { plans[i] = p } else { plans.append(p) }
        }
        for r in other.roles {
            if let i = roles.firstIndex(where: { $0.name == r.name }) { roles[i] = r } else { roles.append(r) }
        }
        for e in other.events {
            if let i = events.firstIndex(where: { $0.name == e.name }) { events[i] = e } else { events.append(e) }
        }
        for p in other.periods {
            if let i = periods.firstIndex(where: { $0.name == p.name }) { periods[i] = p } else { periods.append(p) }
        }
        for (k, v) in other.standIns {
            standIns[k] = v
            standInAt[k] = other.standInAt[k]
        }
        dropIns.append(other.file)
    }

    /// Checks the names entries refer to (counts-as, period events, stand-in roles), each problem at the file
    /// and line of the entry that names it.
    func validate(_ diagnostics: Diagnostics) {
        let names = Set(events.map(\.name))
        for e in events {
            for c in e.countsAs where !names.contains(c) {
                diagnostics.report(e.file, e.line, "events.\(e.name).counts-as", "unknown event '\(c)'\(didYouMean(c, names))")
            }
        }
        for p in periods {
            for (key, list) in [("starts", p.starts), ("ends", p.ends)] {
                for e in list where !names.contains(e) {
                    diagnostics.report(p.file, p.keyLines[key] ?? p.line, "periods.\(p.name).\(key)", "unknown event '\(e)'\(didYouMean(e, names))")
                }
            }
        }
        let roleNames = Set(roles.map(\.0))
        for (role, by) in standIns.sorted(by: { $0.key < $1.key }) {
            let at = standInAt[role] ?? SourceLocation(file: file, line: 1)
            for r in [role, by] where !roleNames.contains(r) {
                diagnostics.report(at, "stand-ins.\(role)", "unknown role '\(r)'\(didYouMean(r, roleNames))")
            }
            var seen: Set<String> = [role]
            var next = standIns[by].map { _ in by }
            while let n = next {
                if !seen.insert(n).inserted {
                    diagnostics.report(at, "stand-ins.\(role)", "stand-ins go round in a circle through '\(n)'")
                    break
                }
                next = standIns[n]
            }
        }
    }
}
