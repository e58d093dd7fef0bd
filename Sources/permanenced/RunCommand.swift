import ArgumentParser
import Foundation
import PermanenceConfig
import PermanenceDaemon

/// `permanenced run`: the daemon, as systemd starts it.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: send every reminder, due notice and escalation at its moment (to the journal).",
        discussion: """
            Meant to run under systemd (Type=notify-reload): it reports READY=1 once the schedule is built, keeps \
            STATUS= current, pings the watchdog, reloads the configuration on SIGHUP (refusing an invalid one) and \
            stops cleanly on SIGTERM. Changes made by other permanenced commands, and CSV files dropped in the \
            inbox, take effect within seconds.
            """)

    @Option(help: "Configuration file (default: $PERMANENCED_CONFIG or /etc/permanenced/permanenced.toml).")
    var config: String?

    @Option(help: "SQLite store (default: [store] path in the configuration).")
    var store: String?

    @Option(help: "Inbox directory (default: [store] inbox in the configuration).")
    var inboxPath: String?

    func run() throws {
        let settings = Daemon.Settings(configPath: ConfigLoader.path(config), storePath: store, inboxPath: inboxPath, version: permanencedVersion)
        // The daemon's executor keeps every task off libdispatch's global pool (see DaemonExecutor).
        do {
            try DaemonExecutor.shared.wait { try await Daemon.run(settings: settings) }
        } catch {
            // Logged already (to the journal when it listens); say it here too when someone runs it by hand,
            // where stderr is not itself the journal.
            if ProcessInfo.processInfo.environment["JOURNAL_STREAM"] == nil {
                FileHandle.standardError.write(Data("permanenced: cannot start: \(error)\n".utf8))
            }
            throw ExitCode(1)
        }
    }
}
