import ArgumentParser
import PermanenceCore
import PermanenceStore

/// `permanenced worker add|update|absent`.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Add or change workers, and record their absences.",
        subcommands: [Add.self, Update.self, Absent.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a worker.")
        @Argument(help: "Worker id (as the case management system knows them).") var id: String
        @Option(help: "Full name.") var name: String
        @Option(help: "The name emails greet the worker by (default: a directory-style 'Last, First (Team)' name said as 'First Last').")
        var displayName: String?
        @Option(help: "Email address.") var email: String?
        @Option(name: .customLong("role"), help: "A role the worker holds (repeat for several).") var roles: [String] = []
        @Option(help: "The worker's line manager (a worker id).") var manager: String?
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (set, store) = try options.open()
            let w = Worker(id: id, name: name, email: email, roles: roles, manager: manager, displayName: displayName)
            try refusing { try store.addWorker(w, actor: actor(), now: Clock.now()) }
            _ = set
            say("added worker \(id)")
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a worker's details.")
        @Argument var id: String
        @Option var name: String?
        @Option(help: "The name emails greet the worker by (\"\" to go back to the default).") var displayName: String?
        @Option var email: String?
        @Option(name: .customLong("role"), help: "Replace the worker's roles (repeat for several).") var roles: [String] = []
        @Option var manager: String?
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (_, store) = try options.open()
            guard var w = try store.worker(id) else { throw Failure.report("unknown worker '\(id)'; nothing was changed", status: 2) }
            if let name { w.name = name }
            if let displayName { w.displayName = displayName.isEmpty ? nil : displayName }
            if let email { w.email = email }
            if !roles.isEmpty { w.roles = roles }
            if let manager { w.manager = manager }
            try refusing { try store.updateWorker(w, actor: actor(), now: Clock.now()) }
            say("updated worker \(id)")
        }
    }

    struct Absent: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that a worker is away, and who covers.")
        @Argument var id: String
        @Option(help: "First day away (YYYY-MM-DD).") var from: String
        @Option(help: "Last day away (YYYY-MM-DD).") var to: String
        @Option(help: "Who receives the worker's notices meanwhile (default: their manager).") var deputy: String?
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (set, store) = try options.open()
            let a = Absence(
                worker: id, from: try dateOption(from, "--from", zone: set.zone), to: try dateOption(to, "--to", zone: set.zone),
                deputy: deputy)
            try refusing { try store.addAbsence(a, actor: actor(), now: Clock.now()) }
            say("recorded \(id) away \(a.from) to \(a.to), covered by \(deputy ?? "their manager")")
        }
    }
}
