import ArgumentParser
import PermanenceCore
import PermanenceStore

/// `permanenced record CASE EVENT`.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "Record an event on a case (deadlines are recomputed at once).")

    @Argument(help: "Case reference.") var caseRef: String
    @Argument(help: "Event kind (see docs/events.md).") var event: String
    @Option(help: "When it happened or is listed (default: now).") var at: String?
    @Option(help: "A note (kept in the store, never sent in notifications).") var note: String?
    @Option(help: "Event id (default: derived from the content).") var id: String?
    @Option(help: "The id of an event this one corrects.") var corrects: String?
    @OptionGroup var options: StoreOptions

    func run() throws {
        let (set, store) = try options.open()
        let now = Clock.now()
        let point: TimePoint
        do {
            point = try at.map { try TimePoint.parse($0, zone: set.zone) } ?? .dateTime(set.zone.localDateTime(at: now), now)
        } catch {
            throw Failure.report("--at: \(error)", status: 2)
        }
        let (instant, dateOnly): (Instant, Bool) = {
            switch point {
            case .date(let d): return (set.zone.startOfDay(d), true)
            case .dateTime(_, let i): return (i, false)
            }
        }()
        let eventID = id ?? "\(caseRef)/\(event)/\(point)"
        let e = CaseEvent(id: eventID, caseRef: caseRef, kind: event, at: instant, dateOnly: dateOnly, note: note, supersedes: corrects)
        try refusing { try store.record(e, source: "cli", actor: actor(), now: now) }
        say("recorded \(event) on \(caseRef) at \(CalcCommand.format(point, zone: set.zone)) [\(eventID)]")
    }
}

/// `permanenced withdraw EVENT_ID --reason TEXT`.
struct WithdrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw", abstract: "Withdraw an event: it stays in the history but no longer counts.")

    @Argument(help: "Event id.") var eventID: String
    @Option(help: "Why (kept in the audit log).") var reason: String
    @OptionGroup var options: StoreOptions

    func run() throws {
        let (_, store) = try options.open()
        try refusing { try store.withdraw(eventID: eventID, reason: reason, actor: actor(), now: Clock.now()) }
        say("withdrew \(eventID)")
    }
}
