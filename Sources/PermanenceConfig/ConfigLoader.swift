import Foundation
import PermanenceCore

/// Reads the configuration, vocabulary, rule packs and time zone from disk and builds a `RuleSet`.
public struct ConfigLoader {
    /// Where the configuration lives when `--config` is not given.
    public static let defaultPath = "/etc/permanenced/permanenced.toml"

    /// `--config`, then `$PERMANENCED_CONFIG`, then the default.
    public static func path(_ option: String?) -> String {
        option ?? ProcessInfo.processInfo.environment["PERMANENCED_CONFIG"] ?? defaultPath
    }

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(String, String)
        case config(ConfigErrors)

        public var description: String {
            switch self {
            case .unreadable(let path, let why): return "\(path): \(why)"
            case .config(let e): return e.description
            }
        }
    }

    /// The rule set, and the rule pack files it was built from.
    public static func load(_ configPath: String) throws(LoadError) -> (RuleSet, packs: [String]) {
        let configFile = try read(configPath)
        let configuration: Configuration
        do {
            configuration = try RuleSet.parseConfiguration(configFile)
        } catch {
            throw .config(error)
        }
        let dir = (configPath as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : (dir.isEmpty ? p : "\(dir)/\(p)") }
        let rulesDir = resolve(configuration.rulesDirectory)
        let shipped = configuration.shippedDirectory.map(resolve)
        // The admin's packs, then each shipped pack the admin has no file of the same name for.
        var paths: [String: String] = [:]
        if let shipped {
            for n in try packNames("\(shipped)/rules.d", configPath) { paths[n] = "\(shipped)/rules.d/\(n)" }
        }
        var own: [String] = []
        if shipped == nil || FileManager.default.fileExists(atPath: rulesDir) { own = try packNames(rulesDir, configPath) }
        for n in own { paths[n] = "\(rulesDir)/\(n)" }
        var packs: [SourceFile] = []
        for n in paths.keys.sorted() {
            let file = try read(paths[n]!)
            // A file of overrides given a shipped pack's name would take that pack's place, rules and all.
            if let shipped, own.contains(n), FileManager.default.fileExists(atPath: "\(shipped)/rules.d/\(n)"), !RulePack.declaresPack(file.text) {
                throw .unreadable(file.path, "has the name of the shipped pack \(shipped)/rules.d/\(n) but no [pack] table, so it would "
                    + "replace that pack, and every rule in it, with nothing; give a file of overrides a name of its own (e.g. local-overrides.toml)")
            }
            packs.append(file)
        }
        let vocabularyPath = resolve(configuration.vocabularyFile)
        let vocabulary = try read(layered(vocabularyPath, shipped.map { "\($0)/vocabulary.toml" }))
        // Drop-ins beside the vocabulary (and the shipped ones), by name: an admin's file replaces a shipped one
        // of its name; the rest add to the vocabulary, or replace its entries of the same name.
        let ownDropIns = "\((vocabularyPath as NSString).deletingLastPathComponent)/vocabulary.d"
        var dropInPaths: [String: String] = [:]
        for dir in [shipped.map { "\($0)/vocabulary.d" }, ownDropIns].compactMap({ $0 }) where FileManager.default.fileExists(atPath: dir) {
            for n in try packNames(dir, configPath, what: "cannot list the vocabulary drop-in directory") { dropInPaths[n] = "\(dir)/\(n)" }
        }
        var dropIns: [SourceFile] = []
        for n in dropInPaths.keys.sorted() { dropIns.append(try read(dropInPaths[n]!)) }
        let zone = try loadZone(configuration.timeZone, configPath: "\(configPath):\(configuration.keyLines["time-zone"] ?? 1)")
        do {
            return (try RuleSet(configuration: configuration, vocabulary: vocabulary, vocabularyDropIns: dropIns, packs: packs, zone: zone), packs.map(\.path))
        } catch {
            throw .config(error)
        }
    }

    /// The `*.toml` files of a directory, by name.
    private static func packNames(_ dir: String, _ configPath: String, what: String? = nil) throws(LoadError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".toml") }.sorted()
        } catch {
            throw .unreadable(dir, what ?? "cannot list the rule pack directory (set rules = \"...\" in \(configPath))")
        }
    }

    /// The admin's file if there is one, else the shipped default of the same name (if any).
    public static func layered(_ own: String, _ shipped: String?) -> String {
        guard let shipped, !FileManager.default.fileExists(atPath: own), FileManager.default.fileExists(atPath: shipped) else { return own }
        return shipped
    }

    /// The shipped defaults directory of a configuration, resolved against the configuration file's directory.
    public static func shippedDirectory(_ configuration: Configuration, configPath: String) -> String? {
        guard let s = configuration.shippedDirectory else { return nil }
        let dir = (configPath as NSString).deletingLastPathComponent
        return s.hasPrefix("/") || dir.isEmpty ? s : "\(dir)/\(s)"
    }

    public static func read(_ path: String) throws(LoadError) -> SourceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw .unreadable(path, exists ? "cannot read the file (permissions?)" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            // Name the line of the first byte that is not UTF-8 (a file saved in Windows-1252, say).
            let bytes = [UInt8](data)
            var line = 1
            var start = 0
            for (i, b) in bytes.enumerated() where b == 0x0A {
                if String(validating: bytes[start..<i], as: UTF8.self) == nil { break }
                line += 1
                start = i + 1
            }
            throw .unreadable("\(path):\(line)", "not UTF-8 text; save the file as UTF-8")
        }
        return SourceFile(path: path, text: text)
    }

    /// A zone from the system's zone database (`$TZDIR` or /usr/share/zoneinfo). `configPath` is where the
    /// name was given (`file:line`), for the message.
    public static func loadZone(_ identifier: String, configPath: String) throws(LoadError) -> ZoneRules {
        if identifier == "UTC" { return .utc }
        let dir = ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"
        let path = "\(dir)/\(identifier)"
        guard !identifier.contains(".."), let data = FileManager.default.contents(atPath: path) else {
            if identifier == "Europe/London" {
                FileHandle.standardError.write(Data("permanenced: warning: \(path) not found (install tzdata); using built-in Europe/London rules\n".utf8))
                return .europeLondon
            }
            throw .unreadable(configPath, "time-zone: '\(identifier)' not found in \(dir) (install tzdata, or check the name)")
        }
        do {
            var zone = try ZoneRules(identifier: identifier, tzif: [UInt8](data))
            // tzdata.zi begins "# version 2025b".
            let head = FileManager.default.contents(atPath: "\(dir)/tzdata.zi").map { String(decoding: $0.prefix(64), as: UTF8.self) } ?? ""
            let version = head.split(separator: "\n").first.flatMap { $0.hasPrefix("# version ") ? $0.dropFirst(10) : nil }
            zone.source = version.map { "tzdata \($0)" } ?? "\(dir) (version unknown)"
            return zone
        } catch {
            throw .unreadable(path, "\(error)")
        }
    }
}
