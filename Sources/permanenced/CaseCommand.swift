import ArgumentParser
import PermanenceCore
import PermanenceStore

/// `permanenced case open|update|assign|close`.
struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case", abstract: "List, open, change, assign, close and reopen cases.",
        subcommands: [List.self, Open.self, Update.self, Assign.self, Close.self, Reopen.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the open cases (with --all, the closed ones too), with their overdue deadlines and the next one due.")
        @Flag(help: "Closed cases too.") var all = false
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "The moment to count overdue deadlines at (default: now).") var at: String = "now"
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (set, store) = try options.open(creating: false, writing: false)
            let now = try parseTime(at, option: "--at", zone: set.zone)
            let cases = try store.caseList(includingClosed: all, now: now)
            func time(_ i: Instant?) -> JSON { i.map { .string(set.zone.iso8601($0)) } ?? .null }
            // As agenda shows a deadline: its exact moment, or the day it runs to the end of.
            func due(_ c: Store.CaseListing) -> String? {
                c.nextDue.map { c.nextDueExact ? set.zone.iso8601($0) : set.zone.dueDay(of: $0, exact: false).description }
            }
            if json {
                say(JSON.array(cases.map { c in
                    .object([
                        ("case", .string(c.reference)), ("plan", .string(c.plan)), ("calendar", .string(c.calendar)),
                        ("packs", .array(c.packs.map(JSON.string))), ("opened", time(c.openedAt)), ("closed", time(c.closedAt)),
                        ("overdue", .int(c.overdue)), ("next_due", .optional(due(c))),
                    ])
                }).rendered())
                return
            }
            if cases.isEmpty {
                say(all ? "no cases" : "no open cases")
                return
            }
            say("CASE".padding(18) + "PLAN".padding(22) + "CALENDAR".padding(20) + "OVERDUE".padding(9) + "NEXT DUE")
            for c in cases {
                let next = c.closedAt.map { "closed \(set.zone.humanDateTime($0))" } ?? due(c) ?? "-"
                say(c.reference.padding(18) + c.plan.padding(22) + c.calendar.padding(20) + String(c.overdue).padding(9) + next)
            }
            say("\(cases.count) case\(cases.count == 1 ? "" : "s")")
        }
    }

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

    struct Reopen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reopen a closed case: its deadlines are worked out again, and the workers the closing unassigned hold their roles again.",
            discussion: "What fell due while the case was closed is then overdue, and reminded and escalated as such.")
        @Argument var ref: String
        @Option(help: "When (default: now).") var at: String?
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (set, store) = try options.open()
            let now = Clock.now()
            let roles = try refusing {
                try store.reopenCase(ref, at: try instantOption(at, "--at", zone: set.zone, default: now), actor: actor(), now: now)
            }
            say("reopened case \(ref)" + (roles.isEmpty ? "; nobody is assigned: use case assign" : "; assigned again: " + roles.map { "\($0.worker) (\($0.role))" }.joined(separator: ", ")))
        }
    }
}
