import TOML

/// A change to one rule of a pack, made in another file (`[override.post-placement-visit]` in
/// `/etc/permanenced/rules.d/local.toml`): switch the rule off, or replace its lead times, escalation, owner,
/// copied roles or severity, without copying the pack, so the pack's own updates still arrive.
///
/// Overrides apply in file-name order; where two set the same key, the later file wins.
public struct RuleOverride: Sendable {
    /// The id of the rule it changes.
    public var ruleID: String
    /// Where its table was written.
    public var at: SourceLocation
    /// `enabled = false` switches the rule off.
    public var enabled: Bool?
    public var remind: [Offset]?
    public var escalate: [Escalation]?
    public var owner: String?
    public var copy: [String]?
    public var severity: Severity?
    /// The line of each key it sets.
    public var keyLines: [String: Int] = [:]
    /// Each key as written.
    public var written: [String: TOMLValue] = [:]

    /// The keys an override may set.
    public static let keys = ["enabled", "remind", "escalate", "owner", "copy", "severity"]

    /// Reads every `[override.ID]` table of a file's root table.
    static func decodeAll(_ top: inout TableReader) -> [RuleOverride] {
        guard var table = top.table("override") else { return [] }
        var out: [RuleOverride] = []
        for (id, var t) in table.subtables() {
            var o = RuleOverride(ruleID: id, at: SourceLocation(file: t.file, line: t.line))
            o.enabled = t.bool("enabled")
            if t.has("remind") { o.remind = t.leadTimes() }
            if t.has("escalate") { o.escalate = t.escalationLadder() }
            o.owner = t.string("owner")
            if t.has("copy") { o.copy = t.strings("copy").map(\.0) }
            o.severity = t.severity()
            for k in t.table.keys {
                o.keyLines[k] = t.lineOf(k)
                o.written[k] = t.table[k]!.value
            }
            if t.table.keys.isEmpty {
                t.diagnostics.report(t.file, t.line, t.path, "an override with no keys changes nothing; set enabled, remind, escalate, owner, copy or severity")
            }
            for k in t.table.keys where !keys.contains(k) {
                t.report(k, t.lineOf(k),
                    "an override can set only \(keys.joined(separator: ", "))\(didYouMean(k, keys)); to change anything else, copy the pack to a file of the same name")
            }
            out.append(o)
        }
        return out
    }

    init(ruleID: String, at: SourceLocation) {
        self.ruleID = ruleID
        self.at = at
    }

    /// Applies the override's keys to `rule`, recording where each came from.
    func apply(to rule: inout Rule) {
        func mark(_ k: String) {
            rule.overriddenAt[k] = SourceLocation(file: at.file, line: keyLines[k] ?? at.line)
            rule.written[k] = written[k]
        }
        if let enabled { rule.enabled = enabled; mark("enabled") }
        if let remind { rule.remind = remind; mark("remind") }
        if let escalate { rule.escalate = escalate; mark("escalate") }
        if let owner { rule.owner = owner; mark("owner") }
        if let copy { rule.copy = copy; mark("copy") }
        if let severity { rule.severity = severity; mark("severity") }
    }
}
