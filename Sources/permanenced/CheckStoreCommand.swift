import ArgumentParser
import Foundation
import PermanenceStore

/// `permanenced check-store`: SQLite's full `integrity_check` of the store, and whether it can be written.
struct CheckStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-store",
        abstract: "Check the store's database thoroughly (SQLite's integrity_check) and whether it can be written; safe while the daemon runs.",
        discussion: """
            Exits 0 when the store is sound, 1 when it is damaged (restore it from a backup: stop the daemon, copy the \
            backup over the store and remove its -wal and -shm files, start the daemon). The daemon itself runs the \
            quicker quick_check after each start and says at crit level if it fails. Reads every page, so on a large \
            store it takes a while and reads from disk.
            """)

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: StoreOptions

    func run() throws {
        let store: Store
        do {
            (_, store) = try options.open(creating: false, writing: false)
        } catch let error as Store.Failure {
            throw Failure.report("\(error.description)\nThe store cannot be opened: restore it from a backup (permanenced backup makes them).", status: 1)
        }
        let problems: [String]?
        do {
            problems = try store.check(full: true, limit: 100)
        } catch {
            problems = ["\(error)"]
        }
        let writable = store.writeProblem()
        if json {
            say(JSON.object([
                ("store", .string(store.path)), ("sound", .bool(problems == nil)),
                ("problems", .array((problems ?? []).map { .string($0) })),
                ("write_problem", .optional(writable)),
            ]).rendered())
        } else if let problems {
            say("\(store.path): DAMAGED: SQLite's integrity check found \(problems.count == 100 ? "at least 100" : "\(problems.count)") problem(s):")
            for p in problems { say("  \(p)") }
            say("Restore the store from a backup (stop the daemon, copy the backup over the store, remove its -wal and -shm files, start the daemon).")
        } else {
            say("\(store.path): sound (SQLite's integrity check found no problem, \(formatBytes(store.sizeInBytes())))")
        }
        if let writable, !json { say("\(store.path): cannot be written: \(writable)") }
        if problems != nil { throw ExitCode(1) }
    }
}
