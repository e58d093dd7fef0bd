/// One problem in a configuration file or rule pack, located by file, line and key.
public struct ConfigIssue: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    /// The dotted key, e.g. `rule.post-placement-visit.remind`.
    public let key: String
    public let message: String

    public init(file: String, line: Int, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `config/rules.d/adoption.toml:42: rule.post-placement-visit.remind: ...`
    public var description: String {
        key.isEmpty ? "\(file):\(line): \(message)" : "\(file):\(line): \(key): \(message)"
    }
}

/// All the problems found while loading, so that one run of `check-config` lists every one of them.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public let issues: [ConfigIssue]

    public init(_ issues: [ConfigIssue]) {
        self.issues = issues
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}

/// Collects issues while decoding; passed by reference through the readers of one load.
final class Diagnostics {
    var issues: [ConfigIssue] = []
    /// Where each rule id was first defined (`file:line`), to report duplicates across packs.
    var ruleIDs: [String: String] = [:]

    /// Problems that do not stop the load (an override of a rule no pack has any more).
    var warnings: [ConfigIssue] = []

    func report(_ file: String, _ line: Int, _ key: String, _ message: String) {
        issues.append(ConfigIssue(file: file, line: line, key: key, message: message))
    }

    func report(_ at: SourceLocation, _ key: String, _ message: String) {
        report(at.file, at.line, key, message)
    }

    func warn(_ at: SourceLocation, _ key: String, _ message: String) {
        warnings.append(ConfigIssue(file: at.file, line: at.line, key: key, message: message))
    }
}

/// The closest of `candidates` to a mistyped word, if it is close enough to be a likely typo.
func suggestion(for word: String, in candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(word, c)
        if d <= max(2, word.count / 3), d < (best?.1 ?? Int.max) { best = (c, d) }
    }
    return best?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// " (did you mean 'remind'?)" or nothing: the suffix every "unknown ..." message uses.
public func didYouMean(_ word: String, _ candidates: some Sequence<String>) -> String {
    suggestion(for: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
}
