import ArgumentParser
import PermanenceCore
import PermanenceStore

/// `permanenced case open|update|assign|close`.
struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case", abstract: "Open, change, assign and close cases.",
        subcommands: [Open.self, Update.self, Assign.self, Close.self])

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a case.")
        @Argument(help: "Case reference.") var ref: String
        @Option(help: "Care plan (adoption, long-term-fostering, ...).") var plan: String
        @Option(help: "Calendar (default: the configured default).") var calendar: String?
        @Option(help: "Display initials (shown only where the authority allows).") var initials: String?
        @Option(name: .customLong("pack"), help: "Rule pack (repeat; default: the configured default packs).") var packs: [String] = []
        @Option(help: "When the case was opened (default: today); earlier events are refused.") var opened: String?
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (set, store) = try options.open()
            let now = Clock.now()
            let openedAt = try instantOption(opened, "--opened", zone: set.zone, default: set.zone.startOfDay(set.zone.localDate(at: now)))
            let c = ChildCase(reference: ref, initials: initials, plan: plan, calendar: calendar ?? set.configuration.defaultCalendar, packs: packs)
            try refusing { try store.openCase(c, openedAt: openedAt, actor: actor(), now: now) }
            say("opened case \(ref) (\(c.plan), \(c.calendar))")
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a case's plan, calendar, packs or initials.")
        @Argument var ref: String
        @Option var plan: String?
        @Option var calendar: String?
        @Option var initials: String?
        @Option(name: .customLong("pack")) var packs: [String] = []
        @Option var opened: String?
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (set, store) = try options.open()
            guard var (c, _) = try store.caseWithEvents(ref) else { throw Failure.report("unknown case '\(ref)'; nothing was changed", status: 2) }
            if let plan { c.plan = plan }
            if let calendar { c.calendar = calendar }
            if let initials { c.initials = initials }
            if !packs.isEmpty { c.packs = packs }
            let openedAt = try opened.map { try parseTime($0, option: "--opened", zone: set.zone) }
            try refusing { try store.updateCase(c, openedAt: openedAt, actor: actor(), now: Clock.now()) }
            say("updated case \(ref)")
        }
    }

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Assign a worker to a role on a case (the previous holder's assignment ends).")
        @Argument var ref: String
        @Option(help: "Role (social-worker, team-manager, ...).") var role: String
        @Option(help: "Worker id.") var worker: String
        @Option(help: "From when (default: now).") var from: String?
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (set, store) = try options.open()
            let now = Clock.now()
            let start = try instantOption(from, "--from", zone: set.zone, default: now)
            try refusing { try store.assign(caseRef: ref, role: role, worker: worker, from: start, actor: actor(), now: now) }
            say("assigned \(worker) as \(role) on \(ref)")
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a case: its history stays, its deadlines stop.")
        @Argument var ref: String
        @Option(help: "When (default: now).") var at: String?
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (set, store) = try options.open()
            let now = Clock.now()
            try refusing { try store.closeCase(ref, at: try instantOption(at, "--at", zone: set.zone, default: now), actor: actor(), now: now) }
            say("closed case \(ref)")
        }
    }
}
