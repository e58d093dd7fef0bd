import ArgumentParser
import Foundation
import PermanenceStore

/// `permanenced backup PATH`: a consistent copy of the store, safe while the daemon runs.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the store to PATH (created 0600; never overwrites), safe while the daemon runs.",
        discussion: """
            Restore: stop the daemon, copy the backup over the store (and remove the store's -wal and -shm files), \
            start the daemon. Keep the audit key (the store's .audit-key file or the audit-key credential) with the backups: \
            without it the copy's audit log cannot be verified.
            """)

    @Argument(help: "Where to write the copy.")
    var path: String

    @OptionGroup var options: StoreOptions

    func run() throws {
        let (_, store) = try options.open(creating: false, writing: false)
        do {
            try store.backup(to: path)
        } catch let error as Store.Failure {
            throw Failure.report(error.description, status: 1)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        say("backup of \(store.path) written to \(path) (\(formatBytes(size)), schema \(try store.schemaVersion()))")
    }
}
