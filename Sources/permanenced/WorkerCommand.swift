import ArgumentParser
import PermanenceCore
import PermanenceStore

/// `permanenced worker add|update|absent`.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "List, add or change workers, and record their absences.",
        subcommands: [List.self, Add.self, Update.self, Absent.self, Back.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workers, with their roles, manager and any absence now or booked.")
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "The day absences are shown from (default: today).") var at: String = "now"
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (set, store) = try options.open(creating: false, writing: false)
            let today = set.zone.localDate(at: try parseTime(at, option: "--at", zone: set.zone))
            let workers = try store.workers()
            let away = Dictionary(grouping: try store.absences(endingFrom: today), by: \.worker)
            func absence(_ a: Absence) -> String { "\(a.from <= today ? "away" : "booked") \(a.from) to \(a.to), covered by \(a.deputy ?? "their manager")" }
            if json {
                say(JSON.array(workers.map { w in
                    .object([
                        ("id", .string(w.id)), ("name", .string(w.name)), ("display_name", .optional(w.displayName)),
                        ("email", .optional(w.email)), ("roles", .array(w.roles.map(JSON.string))), ("manager", .optional(w.manager)),
                        ("absences", .array((away[w.id] ?? []).map { a in
                            .object([("from", .string(a.from.description)), ("to", .string(a.to.description)), ("deputy", .optional(a.deputy))])
                        })),
                    ])
                }).rendered())
                return
            }
            if workers.isEmpty {
                say("no workers")
                return
            }
            say("ID".padding(16) + "NAME".padding(26) + "ROLES".padding(30) + "MANAGER".padding(14) + "ABSENCE")
            for w in workers {
                say(w.id.padding(16) + w.name.padding(26) + w.roles.joined(separator: ",").padding(30) + (w.manager ?? "-").padding(14)
                    + ((away[w.id] ?? []).map(absence).joined(separator: "; ")))
            }
            say("\(workers.count) worker\(workers.count == 1 ? "" : "s")")
        }
    }

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

    struct Back: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End a worker's absence early: they are back from --on, and their notices go to them again.",
            discussion: "Absences booked for later stay as they are.")
        @Argument var id: String
        @Option(help: "The first day back (YYYY-MM-DD; default: today).") var on: String?
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (set, store) = try options.open()
            let now = Clock.now()
            let day = try on.map { try dateOption($0, "--on", zone: set.zone) } ?? set.zone.localDate(at: now)
            let ended = try refusing { try store.endAbsence(worker: id, backOn: day, actor: actor(), now: now) }
            for a in ended { say("\(id) is back on \(day) (was away \(a.from) to \(a.to))") }
        }
    }
}
