import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceConfig
import PermanenceDaemon
import PermanenceMail

/// `permanenced check-config`: validates the configuration and every rule pack.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration, vocabulary and every rule pack; list every problem with file, line and key.",
        discussion: """
            Exit status 0 when everything is valid, 1 otherwise. Warnings (an override naming a rule no pack has, \
            a nation whose statutory timescales are not tracked) are printed but do not fail the check.
            """)

    @Option(help: "Configuration file (default: $PERMANENCED_CONFIG or /etc/permanenced/permanenced.toml).")
    var config: String?

    @Option(name: .customLong("show-rule"), help: ArgumentHelp(
        "Print one rule as it is in force, after every override, with the file:line each key comes from.", valueName: "rule-id"))
    var showRule: String?

    func run() throws {
        let path = ConfigLoader.path(config)
        let set: RuleSet
        let files: [String]
        do {
            (set, files) = try ConfigLoader.load(path)
        } catch {
            let text = "\(error)"
            FileHandle.standardError.write(Data((text + "\n").utf8))
            let count = text.split(separator: "\n").count
            throw Failure.report("\(path): \(count) problem\(count == 1 ? "" : "s") found; nothing was changed", status: 1)
        }
        if let showRule { return try show(showRule, in: set) }
        let c = set.configuration
        say("\(path): OK")
        say("  time zone        \(set.zone.identifier) (\(set.zone.source))")
        say("  calendars        \(set.calendars.keys.sorted().joined(separator: ", ")) (default \(c.defaultCalendar))")
        for def in c.calendars where def.adjustments != .none {
            let a = def.adjustments
            say("    \(def.name): \(a.closedAnnually.count) annual closure(s), \(a.added.count) added day(s), \(a.removed.count) removed day(s)")
        }
        say("  vocabulary       \(set.vocabulary.events.count) events, \(set.vocabulary.roles.count) roles, \(set.vocabulary.plans.count) plans")
        say("      from \(set.vocabulary.file)")
        for f in set.vocabulary.dropIns { say("      and  \(f)") }
        let e = c.email
        if e.enabled {
            let times = e.digestTimes.map { String(format: "%02d:%02d", $0 / 3600, $0 / 60 % 60) }.joined(separator: ", ")
            say("  email            \(e.host) (tls: \(e.tls)), from \(e.from), digests at \(times) (\(e.digestOnEveryDay ? "every day" : "working days")), "
                + "at once: \(e.immediate.map(\.rawValue).joined(separator: ", "))")
        } else {
            say("  email            disabled ([email] enabled = false)")
        }
        do {
            let templates = try ConfigLoader.templates(ruleSet: set, configPath: path)
            let composer = MailComposer(config: c.email, zone: set.zone, templates: templates, calendars: set.calendars,
                                        defaultCalendar: c.defaultCalendar)
            let problems = composer.checkTemplates(now: Clock.now())
            guard problems.isEmpty else { throw Mailer.SetupError(description: problems.map { "\(c.email.templates)/\($0)" }.joined(separator: "\n")) }
            say("  email templates  \(MailTemplates.names.count) in \(c.email.templates)/, checked and rendered with sample data")
            for f in templates.fallbacks { say("    warning: \(f)") }
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw Failure.report("\(path): the email templates have problems; nothing was changed", status: 1)
        }
        say("  rule packs       \(set.packs.count) in \(files.count) file(s), \(set.rules.count) rules")
        for p in set.packs {
            let flag = c.defaultPacks.isEmpty || c.defaultPacks.contains(p.id) ? "default" : "opt-in"
            let nations = p.nations.isEmpty ? "" : " [\(p.nations.map(\.rawValue).joined(separator: ", "))]"
            say("    \(p.id): \(p.rules.count) rules (\(flag))\(nations)\(p.statutory ? " statutory" : "") — \(p.title)")
            say("      from \(p.file)")
            for r in p.disabled { say("      switched off: \(r.id) (\(r.origin("enabled")))") }
        }
        let changed = set.rules.filter { $0.overriddenAt.keys.contains { $0 != "enabled" } }
        if !changed.isEmpty {
            say("  overrides        \(changed.count) rule(s) changed: \(changed.map { "\($0.id) (\($0.overriddenAt.keys.sorted().joined(separator: ", ")))" }.joined(separator: "; "))")
        }
        for w in set.warnings { say("  warning          \(w)") }
        // Each calendar's nation, with the default packs: is its law tracked? (A warning, not an error: an
        // authority in one nation need not configure the others.)
        var seen = Set<Jurisdiction>()
        for def in c.calendars.sorted(by: { $0.name < $1.name }) where seen.insert(def.jurisdiction).inserted {
            let coverage = set.statutoryCoverage(calendar: def.name, packs: [])
            if let w = coverage.warning { say("  warning          \(def.jurisdiction.displayName): \(w)") }
        }
    }

    /// `--show-rule ID`: the merged rule, one key per line with where its value was written.
    private func show(_ id: String, in set: RuleSet) throws {
        let all = set.packs.flatMap { $0.rules + $0.disabled }
        guard let rule = all.first(where: { $0.id == id }), let pack = set.packs.first(where: { $0.id == rule.pack }) else {
            throw Failure.report("no rule '\(id)'\(didYouMean(id, all.map(\.id))); `permanenced check-config` lists the packs", status: 1)
        }
        say("# rule \(rule.id) of pack \(pack.id)\(pack.statutory ? " (statutory)" : "")\(rule.enabled ? "" : ", SWITCHED OFF")")
        say("# defined at \(rule.file):\(rule.line)")
        let lines = rule.effectiveKeys(pack: pack).map { ($0.text, $0.origin) }
        let width = min(lines.map(\.0.count).max() ?? 0, 60)
        for (text, origin) in lines {
            say(text.count < width ? text + String(repeating: " ", count: width - text.count) + "  # \(origin)" : "\(text)  # \(origin)")
        }
    }
}
