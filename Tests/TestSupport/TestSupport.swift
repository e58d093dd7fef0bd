import Foundation
import PermanenceCore

/// Helpers shared by the test targets.

/// The repository root, found from this file's path.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Shorthand for a date in tests.
public func date(_ s: String) -> LocalDate {
    guard case .date(let d) = try! TimePoint.parse(s, zone: .europeLondon) else { fatalError("not a date: \(s)") }
    return d
}

/// An instant from an ISO 8601 date-time read in Europe/London.
public func instant(_ s: String) -> Instant {
    switch try! TimePoint.parse(s, zone: .europeLondon) {
    case .dateTime(_, let i): return i
    case .date(let d): return ZoneRules.europeLondon.startOfDay(d)
    }
}

/// Europe/London from the system zone database (tzdata), as the daemon loads it.
public func systemLondon() throws -> ZoneRules {
    let data = try Data(contentsOf: URL(fileURLWithPath: "/usr/share/zoneinfo/Europe/London"))
    return try ZoneRules(identifier: "Europe/London", tzif: [UInt8](data))
}

/// The shipped configuration in `config/`, loaded exactly as the CLI does.
/// `editing` may change a file's text before it is read (to test a changed rule).
public func shippedRuleSet(editing: (_ name: String, _ text: String) -> String = { $1 }) throws -> RuleSet {
    let dir = repositoryRoot.appendingPathComponent("config")
    func read(_ name: String) throws -> SourceFile {
        let url = dir.appendingPathComponent(name)
        return SourceFile(path: "config/\(name)", text: editing(name, try String(contentsOf: url, encoding: .utf8)))
    }
    let configuration = try RuleSet.parseConfiguration(try read("permanenced.toml"))
    let packNames = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("rules.d").path)
        .filter { $0.hasSuffix(".toml") }.sorted()
    return try RuleSet(
        configuration: configuration, vocabulary: try read("vocabulary.toml"),
        packs: try packNames.map { try read("rules.d/\($0)") }, zone: .europeLondon)
}


/// A new, empty directory of a test's own under the system's temporary directory (`label-UUID`).
public func scratchDirectory(_ label: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Writes `text` to the file `name` in `dir`; returns its path.
public func writeFile(_ name: String, _ text: String, in dir: URL) throws -> String {
    let p = dir.appendingPathComponent(name).path
    try text.write(toFile: p, atomically: true, encoding: .utf8)
    return p
}

/// Writes a secret as an admin must: a file only its owner can read (0600), replaced atomically.
public func writeSecret(_ text: String, to path: String) throws {
    let tmp = path + ".tmp-\(UUID().uuidString.prefix(6))"
    guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
        throw CocoaError(.fileWriteUnknown)
    }
    guard rename(tmp, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
}

/// The one way a test builds a rule set from its own packs, saying which configuration and vocabulary they
/// run with (two helpers once shared the name `ruleSet(packs:)`, and overload resolution chose the vocabulary).
public enum RuleSetFixture {
    /// The shipped configuration (as `edit` changes it) and vocabulary with only the given packs (a test's own
    /// rules, whose dates it can work out by hand): the shipped calendars and closures, no shipped rule.
    public static func shipped(packs: [String], config edit: (String) -> String = { $0 }) throws -> RuleSet {
        let dir = repositoryRoot.appendingPathComponent("config")
        var config = edit(try String(contentsOf: dir.appendingPathComponent("permanenced.toml"), encoding: .utf8))
        if let start = config.range(of: "default-packs = ["), let end = config[start.upperBound...].range(of: "]") {
            config.replaceSubrange(start.lowerBound..<end.upperBound, with: "default-packs = []")
        }
        let configuration = try RuleSet.parseConfiguration(SourceFile(path: "config/permanenced.toml", text: config))
        let vocabulary = SourceFile(path: "config/vocabulary.toml",
                                    text: try String(contentsOf: dir.appendingPathComponent("vocabulary.toml"), encoding: .utf8))
        return try RuleSet(configuration: configuration, vocabulary: vocabulary,
                           packs: packs.enumerated().map { SourceFile(path: "test-\($0.offset).toml", text: $0.element) }, zone: .europeLondon)
    }

    /// Inline TOML: `config` (nothing: the defaults), the small `testVocabulary` (or another), on the built-in
    /// Europe/London zone; files are named under `directory`.
    public static func inline(packs: [String], config: String = "", vocabulary: String = testVocabulary, zone: ZoneRules = .europeLondon,
                              directory: String = "") throws -> RuleSet {
        let configuration = try RuleSet.parseConfiguration(SourceFile(path: "\(directory)test.toml", text: config))
        return try RuleSet(
            configuration: configuration, vocabulary: SourceFile(path: "\(directory)vocabulary.toml", text: vocabulary),
            packs: packs.enumerated().map { SourceFile(path: "\(directory)pack\($0.offset).toml", text: $0.element) }, zone: zone)
    }
}

/// The vocabulary of `RuleSetFixture.inline`: a few plans, roles and events.
public let testVocabulary = """
    [plans]
    adoption = "Adoption"
    long-term-fostering = "Long-term fostering"

    [roles]
    social-worker = "SW"
    permanence-sw = "Permanence SW"
    team-manager = "TM"
    service-manager = "SM"
    iro = "IRO"
    family-finder = "FF"

    [events.placed-for-adoption]
    means = "Placed"
    [events.visit]
    means = "Visit"
    [events.review]
    means = "Review"
    [events.six-week-review]
    means = "Six-week review"
    counts-as = ["review"]
    [events.adoption-order]
    means = "Adoption order"
    [events.placement-order]
    means = "PO"
    [events.exception-report]
    means = "Exception report"
    [events.adoption-application-lodged]
    means = "Application"
    [events.family-finding-started]
    means = "FF started"
    [events.family-finding-review]
    means = "FF review"
    [events.match-agreed]
    means = "Match"
    [events.final-hearing]
    means = "Hearing"
    [events.profile-live]
    means = "Profile"
    """
