import Foundation
import PermanenceCore
import PermanenceDaemonCore
import PermanenceStore

/// The inbox directory: files dropped here are imported, then moved to `processed/` or `rejected/`.
///
/// Only a file that is itself bad is rejected. A passing problem (the store locked by another process, a
/// file that cannot be read yet) leaves the file where it is, to be tried again.
public struct Inbox: Sendable {
    public let directory: String
    /// Who imports its files, for the audit log: the daemon, or the person running `import --inbox`.
    public let by: String

    public init(directory: String, by: String = AuditActor.service()) {
        self.directory = directory
        self.by = by
    }

    /// One line per file handled, for people; and what became of each file.
    public struct Result: Sendable {
        /// A line for people, and what it says became of the file.
        public struct Line: Sendable {
            /// `partial`: imported, but some of it left out (`ssda903-lenient`), which someone should look at.
            public enum Kind: Sendable { case imported, partial, rejected, retry, info }
            public let kind: Kind
            public let text: String
        }

        public var lines: [Line] = []
        public var rejected = 0
        /// Files imported (each changed the store or not).
        public var imported = 0
        /// Files left in the inbox after a temporary failure, to be tried again.
        public var retry: [String] = []
    }

    /// A regular file waiting in the inbox, as `stat` sees it now.
    public typealias Entry = InboxTracker.File

    /// The files waiting (not hidden, not directories), in name order.
    public func entries() throws -> [Entry] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: directory) else {
            throw Store.Failure("inbox \(directory) does not exist")
        }
        return try fm.contentsOfDirectory(atPath: directory).sorted().compactMap(entry)
    }

    /// The file `name`, if it is a regular file waiting in the inbox.
    public func entry(_ name: String) -> Entry? {
        guard !name.hasPrefix(".") else { return nil }
        var st = stat()
        guard lstat("\(directory)/\(name)", &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Entry(name: name, size: Int(st.st_size), modified: Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec))
    }

    /// Refuses an inbox, or a `processed/` or `rejected/` folder in it, that is a symbolic link or not a
    /// directory: files with children's data are never moved through a link to wherever it points.
    public func checkFolders() throws {
        for folder in [directory, "\(directory)/processed", "\(directory)/rejected"] {
            var st = stat()
            guard lstat(folder, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                throw Store.Failure("\(folder) is a symbolic link; permanenced does not follow links in its inbox (files with children's data would go wherever it points). Replace it with a directory, or name the real directory in [inbox] path")
            }
            if (st.st_mode & S_IFMT) != S_IFDIR {
                throw Store.Failure("\(folder) is not a directory; move it away so permanenced can make the folder")
            }
        }
    }

    /// Imports every file in the directory once, in name order (`import --inbox`).
    public func processOnce(store: Store, kind: Store.ImportKind?, now: Instant) throws -> Result {
        let names = try entries().map(\.name)
        var result = try process(names, store: store, kind: kind, now: now)
        if names.isEmpty { result.lines.append(.init(kind: .info, text: "inbox \(directory): nothing to import")) }
        return result
    }

    /// Imports the named files in order; a file that fails is moved aside with its errors and the rest go on.
    /// A passing problem with one file (the store locked, a file that cannot be moved) leaves it, and every
    /// file after it, in the inbox to be tried again: each attempt on a locked store waits for the busy
    /// timeout, and the daemon's loop (and its watchdog) must not wait for one file after another.
    public func process(_ names: [String], store: Store, kind: Store.ImportKind?, now: Instant) throws -> Result {
        var result = Result()
        try checkFolders()
        for sub in ["processed", "rejected"] {
            try OwnedFiles.create("\(directory)/\(sub)", ownerOf: directory)
        }
        let stamp = Inbox.timestamp(now)
        // The tables of an SSDA903 extract that arrived together are one import (reviews need their episodes).
        let extract = names.filter { Store.ssda903Table(ofFile: "\(directory)/\($0)") != nil }
        if !extract.isEmpty && !processExtract(extract, store: store, now: now, stamp: stamp, into: &result) {
            // Tried again later, with everything after it.
            result.retry = names
            return result
        }
        let names = names.filter { !extract.contains($0) }
        for (i, name) in names.enumerated() {
            let path = "\(directory)/\(name)"
            do {
                let r = try store.importFile(path, kind: kind, actor: "inbox:\(name) by \(by)", now: now)
                let target = try moveAside(name, to: "processed", stamp: stamp)
                result.lines.append(.init(kind: .imported, text: "\(name): imported \(r.rows) \(r.kind.rawValue) rows (\(r.changed) new or changed); moved to processed/\(target)"))
                result.imported += 1
            } catch let error as CSVErrors where !error.isTemporary {
                do {
                    let target = try moveAside(name, to: "rejected", stamp: stamp)
                    writeErrors(target, Self.errorText(name, error.issues))
                    result.lines.append(.init(kind: .rejected, text: "\(name): rejected (\(error.issues.count) problem(s)); see rejected/\(target).errors"))
                    result.rejected += 1
                } catch {
                    result.lines.append(.init(kind: .retry, text: "\(name): rejected, but it cannot be moved to rejected/ (\(error)); left in the inbox"))
                    result.retry += names[i...]
                    break
                }
            } catch {
                let why = (error as? CSVErrors).map { $0.issues.map(\.message).joined(separator: "; ") } ?? "\(error)"
                result.lines.append(.init(kind: .retry, text: "\(name): not imported yet, left in the inbox to try again: \(why)"))
                result.retry += names[i...]
                break
            }
        }
        return result
    }

    /// Imports an SSDA903 extract's files as one, and moves them all to processed/ or all to rejected/ (each
    /// with the problems found in it, or a note that the rest of its extract was at fault). False if the
    /// import must be tried again (nothing after it is tried either).
    private func processExtract(_ names: [String], store: Store, now: Instant, stamp: String, into result: inout Result) -> Bool {
        let paths = names.map { "\(directory)/\($0)" }
        let lenient = store.ruleSet.configuration.ssda903Lenient
        do {
            let r = try store.importSSDA903(paths, prefix: store.ruleSet.configuration.ssda903CasePrefix, lenient: lenient, actor: "inbox:ssda903 by \(by)", now: now)
            var targets: [String: String] = [:]
            for name in names { targets[name] = try moveAside(name, to: "processed", stamp: stamp) }
            // `ssda903-lenient`: the children left out, beside the table each problem is in.
            var skippedNote = ""
            for (name, path) in zip(names, paths) {
                let own = r.skipped.filter { $0.file == path || $0.file.components(separatedBy: ", ").contains(path) }
                guard !own.isEmpty, let target = targets[name] else { continue }
                _ = FileManager.default.createFile(atPath: "\(directory)/processed/\(target).skipped", contents: Data(Self.errorText(name, own).utf8),
                                                   attributes: [.posixPermissions: 0o600])
                skippedNote += "; \(own.count) problem(s) in \(name), child(ren) left out: see processed/\(target).skipped"
            }
            if !r.skipped.isEmpty && skippedNote.isEmpty { skippedNote = "; \(r.skipped.count) child(ren) left out (ssda903-lenient)" }
            // Facts set aside (the child imported all the same), beside the table each is in.
            for (name, path) in zip(names, paths) {
                let own = r.setAside.filter { $0.file == path }
                guard !own.isEmpty, let target = targets[name] else { continue }
                _ = FileManager.default.createFile(atPath: "\(directory)/processed/\(target).set-aside", contents: Data(Self.errorText(name, own).utf8),
                                                   attributes: [.posixPermissions: 0o600])
                skippedNote += "; \(own.count) fact(s) in \(name) set aside: see processed/\(target).set-aside"
            }
            result.lines.append(.init(kind: r.skipped.isEmpty && r.setAside.isEmpty ? .imported : .partial, text: "SSDA903 extract (\(names.joined(separator: ", "))): \(r.newCases) new case(s), \(r.newEvents) new event(s), \(r.corrected) corrected\(r.disappeared.isEmpty ? "" : ", \(r.disappeared.count) earlier event(s) not in it (kept)"); moved to processed/\(skippedNote)"))
            result.imported += names.count
            return true
        } catch let error as CSVErrors where !error.isTemporary {
            for (name, path) in zip(names, paths) {
                guard let target = try? moveAside(name, to: "rejected", stamp: stamp) else {
                    result.lines.append(.init(kind: .retry, text: "\(name): rejected, but it cannot be moved to rejected/; left in the inbox"))
                    result.retry += names
                    return false
                }
                let own = error.issues.filter { $0.file == path || $0.file.components(separatedBy: ", ").contains(path) }
                writeErrors(target, own.isEmpty
                    ? "\(name): not imported: the rest of its SSDA903 extract has problems (see the other .errors files); fix them and put all the tables back together\n"
                    : Self.errorText(name, own))
                result.lines.append(.init(kind: .rejected, text: "\(name): rejected with its SSDA903 extract (\(own.count) problem(s) in it); see rejected/\(target).errors"))
                result.rejected += 1
            }
            return true
        } catch {
            let why = (error as? CSVErrors).map { $0.issues.map(\.message).joined(separator: "; ") } ?? "\(error)"
            result.lines.append(.init(kind: .retry, text: "SSDA903 extract (\(names.joined(separator: ", "))): not imported yet, left in the inbox to try again: \(why)"))
            result.retry += names
            return false
        }
    }

    /// Moves an inbox file into `processed/` or `rejected/`, stamped; returns the name it has there.
    private func moveAside(_ name: String, to sub: String, stamp: String) throws -> String {
        let target = try Self.unused("\(directory)/\(sub)", "\(stamp)-\(name)")
        try FileManager.default.moveItem(atPath: "\(directory)/\(name)", toPath: "\(directory)/\(sub)/\(target)")
        return target
    }

    /// The `.errors` file beside a rejected file (mode 0600: it quotes the file's contents).
    private func writeErrors(_ target: String, _ text: String) {
        _ = FileManager.default.createFile(atPath: "\(directory)/rejected/\(target).errors", contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    }

    /// One line per problem, `name:line: column: message`.
    static func errorText(_ name: String, _ issues: [CSVIssue]) -> String {
        issues.map { "\(name):\($0.line): \($0.column.isEmpty ? "" : "\($0.column): ")\($0.message)\($0.action.map { "; \($0)" } ?? "")" }
            .joined(separator: "\n") + "\n"
    }

    /// `name`, or `name` with a counter before its extension, whichever does not exist yet in `directory`.
    static func unused(_ directory: String, _ name: String) throws -> String {
        let fm = FileManager.default
        if !fm.fileExists(atPath: "\(directory)/\(name)") { return name }
        let ext = (name as NSString).pathExtension
        let base = ext.isEmpty ? name : String(name.dropLast(ext.count + 1))
        for n in 2..<10_000 {
            let candidate = ext.isEmpty ? "\(base)-\(n)" : "\(base)-\(n).\(ext)"
            if !fm.fileExists(atPath: "\(directory)/\(candidate)") { return candidate }
        }
        throw Store.Failure("\(directory): no free name for \(name)")
    }

    static func timestamp(_ now: Instant) -> String {
        let l = ZoneRules.utc.localDateTime(at: now)
        return l.description.filter { $0.isNumber }
    }
}
