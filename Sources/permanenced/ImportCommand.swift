import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceDaemon
import PermanenceStore

/// `permanenced import FILE...` and `permanenced import --inbox`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import CSV exports (events, cases, workers, assignments): all the files or nothing, re-imports add nothing twice.",
        discussion: """
            The kind of each file is told from its header, or given with --kind. The files are imported in one \
            transaction, workers first, then cases, assignments and events, whatever order they are given in. A bad \
            row in any file rejects them all, every problem listed as file:line: column: message, and the store is \
            unchanged.
            With --inbox, every file in the inbox directory is imported once and moved to processed/, or to \
            rejected/ beside a .errors file saying why.
            """)

    @Argument(help: "CSV files.") var files: [String] = []
    @Option(help: "What the files hold: events, cases, workers or assignments (default: from the header).")
    var kind: String?
    @Option(help: "csv (permanenced's own formats) or ssda903 (the DfE's children looked after return: Header, Episodes, Reviews, PlacedAdoption, AD1 and the rest, told apart by their headers).")
    var format: String = "csv"
    @Option(help: "With --format ssda903: put this before each CHILD id to make the case reference (default: [store] ssda903-case-prefix).")
    var casePrefix: String?
    @Flag(help: "With --format ssda903: set aside a problem confined to one field or row (saying what is read instead) and import the child; leave out only a child whose periods of care cannot be worked out; import the rest.")
    var lenient = false
    @Option(help: "With --format ssda903: write every problem to this CSV file, one row each (file, line, column, child, code, message, action), code being the DfE validation rule that checks the same thing, where there is one.")
    var problems: String?
    @Flag(help: "Process the inbox directory once.") var inbox = false
    @Option(help: "Inbox directory (default: [store] inbox in the configuration).") var inboxPath: String?
    @OptionGroup var options: StoreOptions

    func validate() throws {
        if files.isEmpty && !inbox { throw ValidationError("give CSV files to import, or --inbox") }
        if format != "csv" && format != "ssda903" { throw ValidationError("--format must be csv or ssda903") }
        if format == "ssda903" && (kind != nil || inbox || files.isEmpty) {
            throw ValidationError("--format ssda903 takes the extract's files, without --kind or --inbox")
        }
        if format == "csv" && (lenient || casePrefix != nil || problems != nil) { throw ValidationError("--lenient, --case-prefix and --problems go with --format ssda903") }
        if let casePrefix, let problem = SSDA903Extract.problem(withPrefix: casePrefix) {
            throw ValidationError("--case-prefix: \(problem)")
        }
        if let kind, Store.ImportKind(rawValue: kind) == nil {
            throw ValidationError("--kind must be one of \(Store.ImportKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let (set, store) = try options.open()
        let k = kind.flatMap(Store.ImportKind.init(rawValue:))
        var failed = false
        // A name that is not there is the caller's mistake (status 2), not a store at fault (status 1).
        let missing = files.filter { !FileManager.default.fileExists(atPath: $0) }
        if !missing.isEmpty {
            for f in missing { FileHandle.standardError.write(Data("\(f): no such file\n".utf8)) }
            throw Failure.report("nothing imported: \(missing.count) of the \(files.count) file(s) named are not there; the store is unchanged", status: 2)
        }
        if format == "ssda903" {
            try importSSDA903(store)
            return
        }
        if !files.isEmpty {
            let who = actor()
            do {
                // One transaction for all the files: a running daemon never sees the cases without their events,
                // and a bad row in any file leaves the store as it was.
                let reports = try store.importFiles(files, kind: k, actor: { "import:\(($0 as NSString).lastPathComponent) by \(who)" }, now: Clock.now())
                for r in reports {
                    say("\(r.file): imported \(r.rows) \(r.kind.rawValue) rows (\(r.changed) new or changed, \(r.rows - r.changed) already present); \(r.casesRecomputed) case(s) recomputed")
                    for w in r.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
                }
            } catch {
                failed = true
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                let bad = Set(error.issues.map(\.file))
                let what = files.count == 1 ? "\(files[0]): rejected" : "rejected \(bad.sorted().joined(separator: ", ")); nothing imported from any of the \(files.count) files"
                FileHandle.standardError.write(Data("permanenced: \(what), \(error.issues.count) problem(s); the store is unchanged\n".utf8))
                if error.isTemporary { throw ExitCode(1) }
            }
        }
        if inbox {
            let dir = inboxPath ?? set.configuration.inboxPath
            let result: Inbox.Result
            do {
                result = try Inbox(directory: dir, by: actor()).processOnce(store: store, kind: k, now: Clock.now())
            } catch let error as Store.Failure {
                throw Failure.report(error.description, status: 1)
            }
            for line in result.lines { say(line.text) }
            if result.rejected > 0 { failed = true }
            // Left in the inbox after a passing problem (the store locked): not done, so not a success.
            if !result.retry.isEmpty && !failed { throw ExitCode(1) }
        }
        if failed { throw ExitCode(2) }
    }

    /// `--problems FILE.csv`: one row per problem, for the data team (created 0600: it names children).
    private func writeProblems(_ path: String, _ rows: [(CSVIssue, String)]) throws {
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var text = "file,line,column,child,code,message,action\n"
        for (issue, action) in rows {
            let child = issue.child ?? ""
            let prefix = "child \(child): "
            let message = issue.message.hasPrefix(prefix) ? String(issue.message.dropFirst(prefix.count)) : issue.message
            text += [issue.file, "\(issue.line)", issue.column, child, SSDA903Codes.validatorRule(for: issue) ?? "", message, action].map(cell).joined(separator: ",") + "\n"
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Failure.report("--problems: cannot write \(path)", status: 1)
        }
        say("problems: \(rows.count) row(s) written to \(path)")
    }

    /// `import --format ssda903`: the extract's tables in one transaction.
    private func importSSDA903(_ store: Store) throws {
        let r: Store.SSDA903Report
        do {
            r = try store.importSSDA903(files, prefix: casePrefix ?? store.ruleSet.configuration.ssda903CasePrefix, lenient: lenient, actor: "import:ssda903 by \(actor())", now: Clock.now())
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            FileHandle.standardError.write(Data("permanenced: SSDA903 extract rejected, \(error.issues.count) problem(s); nothing imported, the store is unchanged\(lenient ? "" : " (--lenient sets aside what it can, leaves out only the children whose periods cannot be worked out, and imports the rest)")\n".utf8))
            if let problems, !error.isTemporary { try writeProblems(problems, error.issues.map { ($0, "refused: nothing imported") }) }
            throw ExitCode(error.isTemporary ? 1 : 2)
        }
        for f in r.files { say("\(f.path): \(f.table.rawValue), \(f.rows) rows") }
        say("imported: \(r.newCases) new case(s), \(r.newEvents) new event(s), \(r.corrected) corrected, \(r.unchanged) already present; \(r.casesRecomputed) case(s) recomputed")
        // By reason, for the data team.
        let clean = r.children - r.childrenLeftOut - r.childrenWithSetAside
        say("children: \(r.children) in the extract: \(clean) imported, \(r.childrenWithSetAside) imported with facts set aside, \(r.childrenLeftOut) left out")
        if !r.setAside.isEmpty {
            FileHandle.standardError.write(Data("warning: set aside \(r.setAside.count) fact(s) of \(r.childrenWithSetAside) child(ren) (--lenient); each is kept in the child's history, and what rests on it says so:\n".utf8))
            for i in r.setAside { FileHandle.standardError.write(Data("  \(i.description)\n".utf8)) }
        }
        if !r.skipped.isEmpty {
            let children = Set(r.skipped.compactMap(\.child))
            FileHandle.standardError.write(Data("warning: left out \(children.count) child(ren) whose periods of care cannot be worked out (--lenient):\n".utf8))
            for i in r.skipped { FileHandle.standardError.write(Data("  \(i.description)\n".utf8)) }
        }
        if let problems { try writeProblems(problems, r.setAside.map { ($0, $0.action ?? "set aside") } + r.skipped.map { ($0, "child left out") }) }
        if !r.disappeared.isEmpty {
            FileHandle.standardError.write(Data("warning: \(r.disappeared.count) event(s) from an earlier extract are not in this one (kept; withdraw any that were wrong):\n".utf8))
            for id in r.disappeared { FileHandle.standardError.write(Data("  \(id)\n".utf8)) }
        }
    }
}
