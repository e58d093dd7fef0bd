import Foundation
import PermanenceCore
import TestSupport
import Testing

@testable import PermanenceConfig

/// Layered configuration on real files: shipped defaults read-only in one directory (as the Debian package
/// puts them in /usr/share/permanenced), the admin's files in another, a file of the admin's replacing the
/// shipped one of the same name.
@Suite struct ConfigLoaderTests {
    let dir: URL
    let shipped: URL
    let etc: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("layers-\(UUID().uuidString)")
        shipped = dir.appendingPathComponent("usr-share")
        etc = dir.appendingPathComponent("etc")
        let config = repositoryRoot.appendingPathComponent("config")
        for d in ["rules.d", "templates"] {
            try FileManager.default.createDirectory(at: shipped.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(at: etc.appendingPathComponent("rules.d"), withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: config.appendingPathComponent("rules.d").path) {
            try FileManager.default.copyItem(at: config.appendingPathComponent("rules.d/\(f)"), to: shipped.appendingPathComponent("rules.d/\(f)"))
        }
        for f in try FileManager.default.contentsOfDirectory(atPath: config.appendingPathComponent("templates").path) {
            try FileManager.default.copyItem(at: config.appendingPathComponent("templates/\(f)"), to: shipped.appendingPathComponent("templates/\(f)"))
        }
        try FileManager.default.copyItem(at: config.appendingPathComponent("vocabulary.toml"), to: shipped.appendingPathComponent("vocabulary.toml"))
        let main = try String(contentsOf: config.appendingPathComponent("permanenced.toml"), encoding: .utf8)
            .replacingOccurrences(of: "# shipped = \"/usr/share/permanenced\"", with: "shipped = \"\(shipped.path)\"")
        try main.write(to: etc.appendingPathComponent("permanenced.toml"), atomically: true, encoding: .utf8)
    }

    var configPath: String { etc.appendingPathComponent("permanenced.toml").path }

    /// A one-rule English adoption pack.
    func pack(_ id: String, rule: String, anchor: String) -> String {
        """
        [pack]
        id = "\(id)"
        title = "\(id)"
        source = "test"
        plans = ["adoption"]
        nations = ["england"]

        [[rule]]
        id = "\(rule)"
        title = "\(rule)"
        anchor = "\(anchor)"
        due = "5d"
        met-by = "visit"
        owner = "social-worker"
        source = "test"
        """
    }

    @Test func theShippedDefaultsApplyWhereTheAdminHasNoFileOfTheSameName() throws {
        let (set, packs) = try ConfigLoader.load(configPath)
        #expect(set.packs.count == 11)
        #expect(packs.allSatisfy { $0.hasPrefix(shipped.path + "/rules.d/") })
        // The vocabulary and every template come from the shipped directory too.
        #expect(set.vocabulary.events.count > 50)
        _ = try ConfigLoader.templates(ruleSet: set, configPath: configPath)
    }

    @Test func anAdminFileReplacesTheShippedOneOfItsNameAndAnyOtherAddsAPack() throws {
        let name = "england-practitioners-guide.toml"
        let original = try String(contentsOf: shipped.appendingPathComponent("rules.d/\(name)"), encoding: .utf8)
        let mine = original.replacingOccurrences(of: "title = \"", with: "title = \"Ours: ", options: [], range: original.range(of: "title = \""))
        try mine.write(to: etc.appendingPathComponent("rules.d/\(name)"), atomically: true, encoding: .utf8)
        try pack("local-extra", rule: "local-extra-visit", anchor: "placed-for-adoption")
            .write(to: etc.appendingPathComponent("rules.d/local-extra.toml"), atomically: true, encoding: .utf8)
        let (set, packs) = try ConfigLoader.load(configPath)
        #expect(set.packs.count == 12)
        #expect(packs.contains(etc.appendingPathComponent("rules.d/\(name)").path))
        #expect(!packs.contains(shipped.appendingPathComponent("rules.d/\(name)").path))
        #expect(set.packs.first { $0.id == "england-practitioners-guide" }?.title.hasPrefix("Ours: ") == true)
        #expect(set.rules.contains { $0.id == "local-extra-visit" })
    }

    @Test func anUpgradedShippedPackAndEventTakeEffectBesideTheAdminsOwnFiles() throws {
        // The upgrade brings a new event and a pack using it; the admin's configuration is unchanged.
        let vocabulary = try String(contentsOf: shipped.appendingPathComponent("vocabulary.toml"), encoding: .utf8)
        try (vocabulary + "\n[events.new-upgrade-event]\nmeans = \"An event the upgrade added\"\n")
            .write(to: shipped.appendingPathComponent("vocabulary.toml"), atomically: true, encoding: .utf8)
        try pack("upgrade-new", rule: "upgrade-new-rule", anchor: "new-upgrade-event")
            .write(to: shipped.appendingPathComponent("rules.d/upgrade-new.toml"), atomically: true, encoding: .utf8)
        let (set, _) = try ConfigLoader.load(configPath)
        #expect(set.rules.contains { $0.id == "upgrade-new-rule" })
        #expect(set.eventKind("new-upgrade-event") != nil)
    }

    /// An admin's override of a shipped rule keeps applying when an upgrade changes that rule's pack, and the
    /// upgrade's own change to the rule arrives too.
    @Test func anAdminsOverrideStillAppliesAfterAnUpgradeChangesThePack() throws {
        try "[override.post-placement-visit]\nremind = [\"48h\"]\nowner = \"social-worker\"\n"
            .write(to: etc.appendingPathComponent("rules.d/local-overrides.toml"), atomically: true, encoding: .utf8)
        let name = shipped.appendingPathComponent("rules.d/leicestershire-family-finding.toml")
        let before = try ConfigLoader.load(configPath).0.rules.first { $0.id == "post-placement-visit" }
        #expect(before?.remind == [Offset(48, .hours)])
        #expect(before?.owner == "social-worker")
        let original = try String(contentsOf: name, encoding: .utf8)
        try original.replacingOccurrences(of: "Visit the child within 72 hours of placement for adoption", with: "Visit the child within 72 hours of being placed")
            .write(to: name, atomically: true, encoding: .utf8)
        let (set, packs) = try ConfigLoader.load(configPath)
        let after = try #require(set.rules.first { $0.id == "post-placement-visit" })
        #expect(after.title == "Visit the child within 72 hours of being placed")
        #expect(after.remind == [Offset(48, .hours)])
        #expect(after.owner == "social-worker")
        #expect(after.origin("owner").file == etc.appendingPathComponent("rules.d/local-overrides.toml").path)
        #expect(packs.contains(etc.appendingPathComponent("rules.d/local-overrides.toml").path))
        #expect(set.packs.count == 11)
    }

    /// Overrides put in a file named like a shipped pack would take that pack's place, and its rules with it.
    @Test func overridesInAFileNamedLikeAShippedPackAreRefused() throws {
        let mine = etc.appendingPathComponent("rules.d/england-statutory.toml")
        try "[override.post-placement-visit]\nremind = [\"48h\"]\n".write(to: mine, atomically: true, encoding: .utf8)
        do {
            _ = try ConfigLoader.load(configPath)
            Issue.record("loaded")
        } catch {
            #expect("\(error)".contains("\(mine.path): has the name of the shipped pack"), "\(error)")
            #expect("\(error)".contains("local-overrides.toml"))
        }
    }

    /// An admin's vocabulary.d adds the events their own pack needs; an upgrade's new event arrives beside it,
    /// which a copied vocabulary would have hidden.
    @Test func anAdminsVocabularyDropInAndAnUpgradedVocabularyBothApply() throws {
        let dropIns = etc.appendingPathComponent("vocabulary.d")
        try FileManager.default.createDirectory(at: dropIns, withIntermediateDirectories: true)
        try "[events.our-panel-event]\nmeans = \"Our panel\"\n".write(to: dropIns.appendingPathComponent("local.toml"), atomically: true, encoding: .utf8)
        try pack("ours", rule: "our-panel-rule", anchor: "our-panel-event")
            .write(to: etc.appendingPathComponent("rules.d/ours.toml"), atomically: true, encoding: .utf8)
        let vocabulary = try String(contentsOf: shipped.appendingPathComponent("vocabulary.toml"), encoding: .utf8)
        try (vocabulary + "\n[events.new-upgrade-event]\nmeans = \"An event the upgrade added\"\n")
            .write(to: shipped.appendingPathComponent("vocabulary.toml"), atomically: true, encoding: .utf8)
        let (set, _) = try ConfigLoader.load(configPath)
        #expect(set.rules.contains { $0.id == "our-panel-rule" })
        #expect(set.eventKind("our-panel-event") != nil)
        #expect(set.eventKind("new-upgrade-event") != nil)
        #expect(set.vocabulary.dropIns == [dropIns.appendingPathComponent("local.toml").path])
    }

    @Test func anAdminVocabularyReplacesTheShippedOne() throws {
        let vocabulary = try String(contentsOf: shipped.appendingPathComponent("vocabulary.toml"), encoding: .utf8)
        try (vocabulary + "\n[events.our-own-event]\nmeans = \"Ours\"\n").write(to: etc.appendingPathComponent("vocabulary.toml"), atomically: true, encoding: .utf8)
        let (set, _) = try ConfigLoader.load(configPath)
        #expect(set.eventKind("our-own-event") != nil)
    }

    @Test func anAdminTemplateReplacesTheShippedOneOfItsName() throws {
        let templates = etc.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        try "{{{ this_is_not_closed".write(to: templates.appendingPathComponent("digest-subject.mustache"), atomically: true, encoding: .utf8)
        let (set, _) = try ConfigLoader.load(configPath)
        // The admin's (broken) file is the one read, not the shipped one beside it.
        #expect(throws: (any Error).self) { try ConfigLoader.templates(ruleSet: set, configPath: configPath) }
        try FileManager.default.removeItem(at: templates.appendingPathComponent("digest-subject.mustache"))
        _ = try ConfigLoader.templates(ruleSet: set, configPath: configPath)
    }
}
