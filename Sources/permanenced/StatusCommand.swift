import ArgumentParser
import PermanenceCore
import PermanenceStore

/// `permanenced status`: counts and the store's health.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Open cases, deadlines due this week and overdue, and the store's path, size and schema version.")

    @OptionGroup var options: StoreOptions

    func run() throws {
        let (set, store) = try options.open(creating: false)
        let now = Clock.now()
        let s = try store.summary(now: now)
        say("store            \(store.path) (\(formatBytes(store.sizeInBytes())), schema \(try store.schemaVersion()))")
        say("cases            \(s.openCases) open, \(s.closedCases) closed; \(s.workers) workers; \(s.events) events")
        say("deadlines        \(s.dueThisWeek) due in the next 7 days, \(s.overdue) overdue, \(s.cannotCompute) that cannot be computed (see explain)")
        say("audit log        \(s.auditEntries) entries")
        say("notifications    \(s.notificationsPending) pending")
        say("rules            \(set.rules.count) in \(set.packs.count) packs; time zone \(set.zone.identifier)")
    }
}

func formatBytes(_ n: Int) -> String {
    if n < 1024 { return "\(n) B" }
    if n < 1 << 20 { return "\(n / 1024) KiB" }
    return "\(n >> 20) MiB"
}

/// `permanenced audit verify`.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check the audit log.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the audit log's hash chain; say where it breaks. Exit 0 intact, 1 broken.")
        @OptionGroup var options: StoreOptions

        func run() throws {
            let (_, store) = try options.open(creating: false)
            let v = try store.verifyAudit()
            if let problem = v.problem {
                throw Failure.report("audit chain broken: \(problem) (\(v.entries) entries before it verified)", status: 1)
            }
            say("audit chain intact: \(v.entries) entries verified")
        }
    }
}
