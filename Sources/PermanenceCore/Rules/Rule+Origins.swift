import TOML

extension Rule {
    /// Every key of the rule as it is in force, written as TOML (`remind = ["1d"]`), with where its value
    /// comes from: `file:line`, `file:line (override)` for a key an override set, `file:line ([pack])` for a
    /// value the rule takes from its pack's header. Keys in the order the rule's table writes them, then
    /// those only overrides set, then those taken from the pack.
    public func effectiveKeys(pack: RulePack) -> [(text: String, origin: String)] {
        var keys = written.keys.filter { keyLines[$0] != nil }.sorted { keyLines[$0]! < keyLines[$1]! }
        keys += written.keys.filter { keyLines[$0] == nil }.sorted()
        var out: [(text: String, origin: String)] = keys.map { k in
            ("\(k) = \(written[k]!.inlineText)", overriddenAt[k].map { "\($0) (override)" } ?? "\(origin(k))")
        }
        func list(_ v: [String]) -> TOMLValue { .array(v.map { TOMLNode(line: 0, value: .string($0)) }) }
        let inherited: [(String, TOMLValue?)] = [
            ("source", .string(source)), ("working-days", .string(workingDays.rawValue)),
            ("plans", plans.isEmpty ? nil : list(plans)), ("calendars", calendars.isEmpty ? nil : list(calendars)),
        ]
        for (k, v) in inherited where written[k] == nil {
            if let v { out.append(("\(k) = \(v.inlineText)", "\(pack.file):\(pack.line) ([pack])")) }
        }
        return out
    }
}
