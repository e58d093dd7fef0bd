import Foundation
import PermanenceCore
import PermanenceStore

/// The inbox directory: files dropped here are imported, then moved to `processed/` or `rejected/`.
public struct Inbox: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// One line per file handled, for people; and how many files were rejected.
    public struct Result: Sendable {
        public var lines: [String] = []
        public var rejected = 0
        /// Files imported (each changed the store or not).
        public var imported = 0
    }

    /// Imports every file in the directory once, in name order; a file that fails is moved aside with its
    /// errors and the rest go on.
    public func processOnce(store: Store, kind: Store.ImportKind?, now: Instant) throws -> Result {
        let fm = FileManager.default
        var result = Result()
        guard fm.fileExists(atPath: directory) else {
            throw Store.Failure("inbox \(directory) does not exist")
        }
        for sub in ["processed", "rejected"] {
            try? fm.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let names = try fm.contentsOfDirectory(atPath: directory).filter { name in
            var isDir: ObjCBool = false
            return !name.hasPrefix(".") && fm.fileExists(atPath: "\(directory)/\(name)", isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
        let stamp = Inbox.timestamp(now)
        for name in names {
            let path = "\(directory)/\(name)"
            do {
                let r = try store.importFile(path, kind: kind, actor: "inbox:\(name)", now: now)
                try fm.moveItem(atPath: path, toPath: "\(directory)/processed/\(stamp)-\(name)")
                result.lines.append("\(name): imported \(r.rows) \(r.kind.rawValue) rows (\(r.changed) new or changed); moved to processed/")
                result.imported += 1
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

    static func timestamp(_ now: Instant) -> String {
        let l = ZoneRules.utc.localDateTime(at: now)
        return l.description.filter { $0.isNumber }
    }
}
