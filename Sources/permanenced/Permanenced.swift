import ArgumentParser
import Foundation

/// `permanenced`: keeps children's permanence plans from drifting.
@main
struct Permanenced: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "permanenced",
        abstract: "Works out every permanence-planning deadline from case events and tells the right worker in time.",
        version: permanencedVersion,
        subcommands: [
            CalcCommand.self, CheckConfigCommand.self, ExplainCommand.self, SimulateCommand.self,
            WorkerCommand.self, CaseCommand.self, RecordCommand.self, WithdrawCommand.self, ImportCommand.self,
            AgendaCommand.self, ReportCommand.self, StatusCommand.self, RunCommand.self, SendTestCommand.self, AuditCommand.self, BackupCommand.self, CheckStoreCommand.self, HolidaysCommand.self, VocabularyCommand.self,
        ])

    /// Usage errors exit with status 2, like every other invalid input.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// A failure already explained on standard error; exits with the given status.
struct Failure: Error {
    let status: Int32

    /// Prints `permanenced: message` to standard error and returns the error to throw.
    static func report(_ message: String, status: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("permanenced: \(message)\n".utf8))
        return ExitCode(status)
    }
}

/// Writes a line to standard output.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
