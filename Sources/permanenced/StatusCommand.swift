import ArgumentParser
import Foundation
import SystemdSupport
import PermanenceCore
import PermanenceStore

/// `permanenced status`: counts and the store's health.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Open cases, deadlines due this week and overdue, and the store's path, size and schema version.")

    @Flag(help: "Print JSON.") var json = false
    @Option(help: "The moment to count from (default: now).") var at: String = "now"
    @OptionGroup var options: StoreOptions

    func run() throws {
        let (set, store) = try options.open(creating: false, writing: false)
        let now = try parseTime(at, option: "--at", zone: set.zone)
        let s = try store.summary(now: now)
        let outbox = try store.outboxSummary()
        let mail = try store.mailSummary()
        let state = try store.daemonState()
        let relayProblem = state["mail-relay-problem"].flatMap { $0.isEmpty ? nil : $0 }
        let waiting = try store.waitingMailItems()
        // Open cases whose nation's law is not (or not wholly) tracked, one line per reason.
        var uncovered: [String: Int] = [:]
        for p in try store.openCaseProfiles() {
            let coverage = set.statutoryCoverage(calendar: p.calendar, packs: p.packs)
            if let w = coverage.warning { uncovered["\(coverage.jurisdiction.displayName): \(w)", default: 0] += p.count }
        }
        // A store that cannot take a write (a full or read-only file system) stops the daemon from queueing or
        // delivering anything, however healthy the counts look.
        let writeProblem = store.writeProblem()
        let warnings = (writeProblem.map { ["the store cannot be written: \($0); the daemon can queue and deliver nothing until this is fixed"] } ?? [])
            + uncovered.sorted(by: { $0.key < $1.key }).map { "\($0.value) open case(s) in \($0.key)" }
            + set.warnings.map(\.description)
        if json {
            func time(_ i: Instant?) -> JSON { i.map { .string(set.zone.iso8601($0)) } ?? .null }
            let pid = state["pid"].flatMap { Int32($0) }
            let running = state["state"] == "running" && (pid.map { kill($0, 0) == 0 || errno == EPERM } ?? false)
            say(JSON.object([
                ("at", .string(set.zone.iso8601(now))),
                ("store", .object([
                    ("path", .string(store.path)), ("bytes", .int(store.sizeInBytes())), ("schema", .string(try store.schemaVersion())),
                    ("writable", .bool(writeProblem == nil)), ("write_problem", .optional(writeProblem)),
                ])),
                ("cases", .object([("open", .int(s.openCases)), ("closed", .int(s.closedCases))])),
                ("workers", .int(s.workers)), ("events", .int(s.events)),
                ("deadlines", .object([("due_in_7_days", .int(s.dueThisWeek)), ("overdue", .int(s.overdue)), ("cannot_compute", .int(s.cannotCompute))])),
                ("audit_entries", .int(s.auditEntries)),
                ("outbox", .object([
                    ("pending", .int(outbox.pending)), ("failed_attempts", .int(outbox.failed)), ("delivered", .int(outbox.sent)),
                    ("delivered_to", .object(outbox.sentTo.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                    ("oldest_pending_due", time(outbox.oldestPending)),
                ])),
                ("email", .object([
                    ("enabled", .bool(set.configuration.email.enabled)), ("to_send", .int(mail.pending)), ("retrying", .int(mail.retrying)),
                    ("sent", .int(mail.sent)), ("given_up", .int(mail.failed)), ("relay_problem_since", .optional(relayProblem)),
                    ("waiting", .int(waiting.count)), ("next_waiting", time(waiting.next)),
                ])),
                ("daemon", .object([
                    ("state", .string(state["state"] == nil ? "never-run" : running ? "running" : state["state"] == "running" ? "died" : "stopped")),
                    ("pid", running ? .int(Int(pid!)) : .null), ("status", .optional(running ? state["status"] : nil)),
                    ("next_due", time(running ? state["next"].flatMap(Int.init).map { Instant(seconds: $0) } : nil)),
                ])),
                ("rules", .object([
                    ("count", .int(set.rules.count)), ("packs", .int(set.packs.count)), ("fingerprint", .string(String(set.fingerprint.prefix(12)))),
                    ("time_zone", .string(set.zone.identifier)), ("tzdata", .string(set.zone.source)),
                ])),
                ("warnings", .array(warnings.map(JSON.string))),
            ]).rendered())
            return
        }
        say("store            \(store.path) (\(formatBytes(store.sizeInBytes())), schema \(try store.schemaVersion()))"
            + (writeProblem.map { "; CANNOT BE WRITTEN: \($0)" } ?? ""))
        say("cases            \(s.openCases) open, \(s.closedCases) closed; \(s.workers) workers; \(s.events) events")
        say("deadlines        \(s.dueThisWeek) due in the next 7 days, \(s.overdue) overdue, \(s.cannotCompute) that cannot be computed (see explain)")
        say("audit log        \(s.auditEntries) entries")
        var line = "\(outbox.pending) pending (\(outbox.failed) after a failed attempt), \(outbox.sent) delivered"
        if !outbox.sentTo.isEmpty {
            line += " (" + outbox.sentTo.sorted { $0.key < $1.key }.map { "\($0.value) to \($0.key)" }.joined(separator: ", ") + ")"
        }
        if let oldest = outbox.oldestPending { line += "; oldest pending due \(set.zone.humanDateTime(oldest))" }
        say("outbox           \(line)")
        say("email            \(set.configuration.email.enabled ? "enabled via \(set.configuration.email.host)" : "disabled ([email] enabled = false)"): "
            + "\(mail.pending) to send (\(mail.retrying) retrying), \(mail.sent) sent, \(mail.failed) given up")
        if let problem = relayProblem {
            say("                 the relay refuses permanenced (since \(problem)); every message waits, none is given up")
        }
        if let next = waiting.next {
            say("                 \(waiting.count) item(s) waiting for a digest or the end of quiet hours; the next at \(set.zone.humanDateTime(next))")
        }
        say("daemon           \(daemonLine(state, zone: set.zone))")
        say("rules            \(set.rules.count) in \(set.packs.count) packs; time zone \(set.zone.identifier) (\(set.zone.source))")
        for w in warnings { say("warning          \(w)") }
    }
}

/// What the daemon last recorded about itself, checked against the process table.
func daemonLine(_ state: [String: String], zone: ZoneRules) -> String {
    guard let recorded = state["state"] else { return "has never run on this store" }
    let pid = state["pid"].flatMap { Int32($0) }
    let alive = pid.map { kill($0, 0) == 0 || errno == EPERM } ?? false
    if recorded == "running" && alive {
        var s = "running (pid \(pid!)): \(state["status"] ?? "")"
        if let journal = state["journal"], !journal.isEmpty { s += "; notices to \(journal)" }
        if let next = state["next"].flatMap(Int.init) { s += "; next instant due \(zone.iso8601(Instant(seconds: next)))" }
        return s
    }
    if recorded == "running" { return "not running (it stopped without saying so: crashed or killed; pid \(pid.map(String.init) ?? "?"))" }
    return "not running (stopped cleanly)"
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
            let (_, store) = try options.open(creating: false, writing: false)
            let journalHeads = AuditHeadJournal.heads(store: store.path) ?? []
            let v = try store.verifyAudit(journalHeads: journalHeads)
            if let problem = v.problem {
                throw Failure.report("audit chain broken: \(problem) (\(v.entries) entries before it verified)", status: 1)
            }
            let journal = journalHeads.map(\.seq).max().map { "\(journalHeads.count) head(s) in the journal, the newest at entry \($0)" }
                ?? "no head in the journal (none written, or not readable by this user)"
            say("audit chain intact: \(v.entries) entries verified (keyed chain; \(v.headFile ? "head file checked" : "no head file"); \(journal))")
            if let note = v.note { say("note: \(note)") }
        }
    }
}
