/// A file of rules from one procedure or regulation (`config/rules.d/*.toml`).
public struct RulePack: Sendable {
    /// Identifier cases and configuration use to select the pack.
    public var id: String
    public var title: String
    /// The document the pack is built from.
    public var source: String
    public var rules: [Rule]
    /// Its rules an override switched off (`enabled = false`), which are not evaluated.
    public var disabled: [Rule] = []
    /// The nations whose cases it applies to; empty for every nation (`nations = ["england"]`).
    public var nations: [Jurisdiction]
    /// The pack holds a nation's statutory timescales (regulations), rather than a local procedure: a case
    /// whose nation has none is reported by `check-config` and `status`.
    public var statutory: Bool
    /// What the pack knowingly leaves out (`gaps = "..."`): check-config and status say so for its cases.
    public var gaps: String?
    /// A national measure the 903 record supports (`ssda903 = true`, the adoption scorecard): cases a 903
    /// import opens get it, beside their nation's statutory packs (local procedures they do not get).
    public var ssda903 = false
    public var file: String
    public var line: Int

    public init(
        id: String, title: String, source: String, rules: [Rule], nations: [Jurisdiction] = [], statutory: Bool = false,
        gaps: String? = nil, file: String = "", line: Int = 0
    ) {
        self.id = id
        self.title = title
        self.source = source
        self.rules = rules
        self.nations = nations
        self.statutory = statutory
        self.gaps = gaps
        self.file = file
        self.line = line
    }
}
