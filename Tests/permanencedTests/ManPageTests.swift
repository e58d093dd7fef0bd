import Foundation
import Testing

/// The man pages `scripts/make-man` writes from the binary: permanenced(8) covers every subcommand (read from
/// the binary's own command tree), permanenced.toml(5) every configuration key (found by asking the
/// configuration reader itself which keys each table knows).
@Suite struct ManPageTests {
    let pages: URL

    init() throws {
        pages = FileManager.default.temporaryDirectory.appendingPathComponent("man-\(UUID().uuidString)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [CLITests.root.appendingPathComponent("scripts/make-man").path, CLITests.binary.path, pages.path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    func page(_ name: String) throws -> String {
        try String(contentsOf: pages.appendingPathComponent(name), encoding: .utf8)
    }

    /// Every command path (`worker absent`), from `--experimental-dump-help`.
    func commandPaths() throws -> [[String]] {
        let r = try CLITests.run(["--experimental-dump-help"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        var out: [[String]] = []
        func walk(_ c: [String: Any], _ path: [String]) {
            for s in c["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = s["commandName"] as? String, name != "help" else { continue }
                out.append(path + [name])
                walk(s, path + [name])
            }
        }
        walk(try #require(root["command"] as? [String: Any]), [])
        return out
    }

    @Test func theCommandPageHasEverySubcommandWithItsOptions() throws {
        let man = try page("permanenced.8")
        let paths = try commandPaths()
        #expect(paths.count > 20)
        for path in paths {
            // Each subcommand's own help is in the page: its usage line.
            #expect(man.contains("USAGE: permanenced \(path.joined(separator: " "))"), "permanenced(8) lacks \(path.joined(separator: " "))")
        }
        #expect(man.contains("--show-rule"))
    }

    /// The keys the configuration reader knows in the table at `path` ("" for the top level), by giving it a
    /// key it cannot know and reading its "known keys" answer; nil when `path` is not a table. For a table of
    /// named tables (`[calendars.NAME]`), those of one named table, with its path.
    func keys(_ path: String) throws -> (path: String, keys: [String])? {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("permanenced.toml")
        try ((path.isEmpty ? "" : "[\(path)]\n") + "zzz-probe = 1\n").write(to: file, atomically: true, encoding: .utf8)
        let r = try CLITests.run(["check-config", "--config", file.path])
        let key = path.isEmpty ? "zzz-probe" : "\(path).zzz-probe"
        for line in r.stderr.split(separator: "\n") {
            guard let at = line.range(of: ": \(key): ") else { continue }
            let message = line[at.upperBound...]
            if let list = message.range(of: "known keys here: ") {
                return (path, message[list.upperBound...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            }
            if message.hasPrefix("expected a table") { return try keys(path.isEmpty ? "zzz-name" : "\(path).zzz-name") }
        }
        // Not a table (the probe was refused as a value of another type).
        return nil
    }

    @Test func theConfigurationPageHasEveryKeyTheReaderKnows() throws {
        let man = try page("permanenced.toml.5")
        var missing: [String] = []
        var found = 0
        func visit(_ path: String, _ known: [String]) throws {
            for k in known {
                let full = path.isEmpty ? k : "\(path).\(k)"
                found += 1
                if let inner = try keys(full) {
                    try visit(inner.path, inner.keys)
                    continue
                }
                if man.range(of: #"(^|[\s#\[.])\#(NSRegularExpression.escapedPattern(for: k))\s*="#, options: .regularExpression) == nil {
                    missing.append(full)
                }
            }
        }
        try visit("", try #require(try keys("")).keys)
        #expect(found > 30)
        #expect(missing.isEmpty, "permanenced.toml(5) does not describe: \(missing.joined(separator: ", "))")
    }
}
