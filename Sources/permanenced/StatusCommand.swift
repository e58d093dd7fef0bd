import ArgumentParser
import Foundation
import PermanenceDaemon
import PermanenceCore
import PermanenceStore

/// `permanenced status`: counts and the store's health.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Open cases, deadlines due this week and overdue, and the store's path, size and schema version.")

    @OptionGroup var options: StoreOptions

    func run() throws {
        let (set, store) = try options.open(creating: false, writing: false)
        let now = Clock.now()
        let s = try store.summary(now: now)
        say("store            \(store.path) (\(formatBytes(store.sizeInBytes())), schema \(try store.schemaVersion()))")
        say("cases            \(s.openCases) open, \(s.closedCases) closed; \(s.workers) workers; \(s.events) events")
        say("deadlines        \(s.dueThisWeek) due in the next 7 days, \(s.overdue) overdue, \(s.cannotCompute) that cannot be computed (see explain)")
        say("audit log        \(s.auditEntries) entries")
        let outbox = try store.outboxSummary()
        var line = "\(outbox.pending) pending (\(outbox.failed) after a failed attempt), \(outbox.sent) delivered"
        if !outbox.sentTo.isEmpty {
            line += " (" + outbox.sentTo.sorted { $0.key < $1.key }.map { "\($0.value) to \($0.key)" }.joined(separator: ", ") + ")"
        }
        if let oldest = outbox.oldestPending { line += "; oldest pending due \(set.zone.humanDateTime(oldest))" }
        say("outbox           \(line)")
        let mail = try store.mailSummary()
        say("email            \(set.configuration.email.enabled ? "enabled via \(set.configuration.email.host)" : "disabled ([email] enabled = false)"): "
            + "\(mail.pending) to send (\(mail.retrying) retrying), \(mail.sent) sent, \(mail.failed) given up")
        if let problem = try store.daemonState()["mail-relay-problem"], !problem.isEmpty {
            say("                 the relay refuses permanenced (since \(problem)); every message waits, none is given up")
        }
        let waiting = try store.waitingMailItems()
        if let next = waiting.next {
            say("                 \(waiting.count) item(s) waiting for a digest or the end of quiet hours; the next at \(set.zone.humanDateTime(next))")
        }
        say("daemon           \(daemonLine(try store.daemonState(), zone: set.zone))")
        say("rules            \(set.rules.count) in \(set.packs.count) packs; time zone \(set.zone.identifier) (\(set.zone.source))")
        // Open cases whose nation's law is not (or not wholly) tracked, one line per reason.
        var uncovered: [String: Int] = [:]
        for p in try store.openCaseProfiles() {
            let coverage = set.statutoryCoverage(calendar: p.calendar, packs: p.packs)
            if let w = coverage.warning { uncovered["\(coverage.jurisdiction.displayName): \(w)", default: 0] += p.count }
        }
        for (w, n) in uncovered.sorted(by: { $0.key < $1.key }) {
            say("warning          \(n) open case(s) in \(w)")
        }
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
