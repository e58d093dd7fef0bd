import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceStore

/// `permanenced import FILE...` and `permanenced import --inbox`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import CSV exports (events, cases, workers, assignments): each file all or nothing, re-imports add nothing twice.",
        discussion: """
            The kind of each file is told from its header, or given with --kind. A file with any bad row is rejected \
            whole, every problem listed as file:line: column: message, and the store is unchanged.
            With --inbox, every file in the inbox directory is imported once and moved to processed/, or to \
            rejected/ beside a .errors file saying why.
            """)

    @Argument(help: "CSV files.") var files: [String] = []
    @Option(help: "What the files hold: events, cases, workers or assignments (default: from the header).")
    var kind: String?
    @Flag(help: "Process the inbox directory once.") var inbox = false
    @Option(help: "Inbox directory (default: [store] inbox in the configuration).") var inboxPath: String?
    @OptionGroup var options: StoreOptions

    func validate() throws {
        if files.isEmpty && !inbox { throw ValidationError("give CSV files to import, or --inbox") }
        if let kind, Store.ImportKind(rawValue: kind) == nil {
            throw ValidationError("--kind must be one of \(Store.ImportKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let (set, store) = try options.open()
        let k = kind.flatMap(Store.ImportKind.init(rawValue:))
        var failed = false
        for file in files {
            do {
                let r = try store.importFile(file, kind: k, actor: "import:\((file as NSString).lastPathComponent) by \(actor())", now: Clock.now())
                say("\(file): imported \(r.rows) \(r.kind.rawValue) rows (\(r.changed) new or changed, \(r.rows - r.changed) already present); \(r.casesRecomputed) case(s) recomputed")
            } catch {
                failed = true
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                FileHandle.standardError.write(Data("permanenced: \(file): rejected, \(error.issues.count) problem(s); the store is unchanged\n".utf8))
            }
        }
        if inbox {
            let dir = inboxPath ?? set.configuration.inboxPath
            let result = try Inbox(directory: dir).processOnce(store: store, kind: k)
            for line in result.lines { say(line) }
            if result.rejected > 0 { failed = true }
        }
        if failed { throw ExitCode(2) }
    }
}

/// The inbox directory: files dropped here are imported, then moved to `processed/` or `rejected/`.
struct Inbox {
    let directory: String

    struct Result {
        var lines: [String] = []
        var rejected = 0
    }

    func processOnce(store: Store, kind: Store.ImportKind?) throws -> Result {
        let fm = FileManager.default
        var result = Result()
        guard fm.fileExists(atPath: directory) else {
            throw Failure.report("inbox \(directory) does not exist", status: 1)
        }
        for sub in ["processed", "rejected"] {
            try? fm.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let names = try fm.contentsOfDirectory(atPath: directory).filter { name in
            var isDir: ObjCBool = false
            return !name.hasPrefix(".") && fm.fileExists(atPath: "\(directory)/\(name)", isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
        let stamp = Inbox.timestamp()
        for name in names {
            let path = "\(directory)/\(name)"
            do {
                let r = try store.importFile(path, kind: kind, actor: "inbox:\(name)", now: Clock.now())
                try fm.moveItem(atPath: path, toPath: "\(directory)/processed/\(stamp)-\(name)")
                result.lines.append("\(name): imported \(r.rows) \(r.kind.rawValue) rows (\(r.changed) new or changed); moved to processed/")
            } catch let error as CSVErrors {
                let target = "\(directory)/rejected/\(stamp)-\(name)"
                try fm.moveItem(atPath: path, toPath: target)
                let text = error.issues.map { "\(name):\($0.line): \($0.column.isEmpty ? "" : "\($0.column): ")\($0.message)" }
                    .joined(separator: "\n") + "\n"
                fm.createFile(atPath: target + ".errors", contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
                result.lines.append("\(name): rejected (\(error.issues.count) problem(s)); see rejected/\(stamp)-\(name).errors")
                result.rejected += 1
            }
        }
        if names.isEmpty { result.lines.append("inbox \(directory): nothing to import") }
        return result
    }

    static func timestamp() -> String {
        let zone = ZoneRules.utc
        let l = zone.localDateTime(at: Clock.now())
        return l.description.filter { $0.isNumber }
    }
}
