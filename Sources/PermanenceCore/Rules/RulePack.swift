/// A file of rules from one procedure or regulation (`config/rules.d/*.toml`).
public struct RulePack: Sendable {
    /// Identifier cases and configuration use to select the pack.
    public var id: String
    public var title: String
    /// The document the pack is built from.
    public var source: String
    public var rules: [Rule]
    public var file: String
    public var line: Int

    public init(id: String, title: String, source: String, rules: [Rule], file: String = "", line: Int = 0) {
        self.id = id
        self.title = title
        self.source = source
        self.rules = rules
        self.file = file
        self.line = line
    }
}
