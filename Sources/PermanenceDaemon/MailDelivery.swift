import Foundation
import Logging
import PermanenceCore
import PermanenceDaemonCore
import PermanenceMail
import PermanenceStore
import SMTPClient
import SMTPCore

/// Email: each notification becomes one item per recipient worker, emailed at once (urgent) or in the
/// worker's next digest; due items are composed into the mail outbox, and the outbox is sent over one SMTP
/// connection, retried with backoff on temporary failures and escalated when it cannot be delivered. Runs
/// the `MailMachine`'s decisions: one batch in flight, a batch in flight finished at shutdown, the relay's
/// outage alerted once.
///
/// Touched only on the daemon's queue.
final class MailDelivery: @unchecked Sendable {
    let context: DaemonContext
    private var machine = MailMachine()
    /// The next moment the mail outbox needs a look (an item to compose, a message to retry).
    private(set) var nextMoment: Instant?
    /// Called on the queue when a batch's outcome is recorded (the schedule re-arms its timer).
    var changed: () -> Void = {}
    /// Resumed when the batch in flight at shutdown has finished.
    private var drained: CheckedContinuation<Void, Never>?
    /// Requests to look at the mail (the journal outbox drained, a batch recorded), with the moment items are
    /// timed at; the mail service takes them one at a time.
    let requests: AsyncStream<Instant>
    private let requestSink: AsyncStream<Instant>.Continuation

    /// The weekly team reports.
    let teamReports: TeamReports

    init(context: DaemonContext) {
        self.context = context
        (requests, requestSink) = AsyncStream.makeStream(of: Instant.self)
        teamReports = TeamReports(context: context)
        teamReports.queued = { [unowned self] t in self.request(now: t) }
    }

    /// Asks the mail service to look at the mail outbox.
    func request(now t: Instant) {
        requestSink.yield(t)
    }

    private var runtime: DaemonRuntime { context.runtime }
    private var store: Store { context.runtime.store }
    private var mailer: Mailer? { context.runtime.mailer }
    private var logger: Logger { context.logger }
    private var ruleSet: RuleSet { context.runtime.ruleSet }
    private var rulesByID: [String: Rule] { context.runtime.rulesByID }
    private func now() -> Instant { context.now() }

    /// At start, and after a reload: messages a crash interrupted go again; an outage noted while email was
    /// on is forgotten once it is off.
    func started() {
        if (try? store.requeueInterruptedMail()) ?? 0 > 0 {
            logger.notice("email: messages interrupted by a crash are sent again (a message the relay had already accepted may arrive twice)")
        }
        let known = try? store.daemonState()["mail-relay-problem"]
        machine = MailMachine(relayProblem: known ?? nil)
        if mailer == nil, machine.emailTurnedOff() { try? store.setDaemonState(["mail-relay-problem": ""]) }
    }

    /// Email items for everyone a notification goes to (after absence cover), each worker once; written with
    /// the row's `delivering` mark, before the journal entry, so a crash after it adds nothing twice.
    func items(for item: OutboxItem, now t: Instant) -> [Store.MailItemRow] {
        guard let mailer else { return [] }
        let workers = Set(item.recipients.compactMap(\.worker))
        // An escalation is for a manager to act on now: at once (after quiet hours), whatever its severity.
        // The owner's copy keeps the pace of their own notices.
        return workers.sorted().map { worker in
            let escalation = item.stage == .escalation && worker != item.owner
            let (sendAt, immediate) = mailer.timing.plan(severity: item.severity, dueAt: item.dueAt, now: t, late: item.late,
                                                         escalation: escalation, nextNotice: item.nextNoticeAt)
            return .init(worker: worker, key: item.key, sendAt: sendAt, immediate: immediate)
        }
    }

    /// Composes the emails whose moment has come, sends what the outbox holds, and says when to look again.
    func process(now t: Instant) {
        guard let mailer else {
            nextMoment = nil
            return
        }
        do {
            let due = try store.dueMailItems(at: t)
            for (worker, rows) in Dictionary(grouping: due, by: \.worker).sorted(by: { $0.key < $1.key }) {
                try composeMail(for: worker, rows, mailer: mailer, now: t)
            }
            if machine.sendRequested() { try startSending(mailer: mailer, now: t) }
            // The weekly team reports are worked out off the queue; their failure never holds up the rest.
            teamReports.startIfDue(now: t, mailer: mailer)
            nextMoment = [try store.nextMailMoment(), teamReports.nextMoment(after: t, mailer: mailer)].compactMap { $0 }.min()
        } catch {
            logger.error("email: could not update the mail outbox: \(error); retrying in 60 seconds")
            nextMoment = t.adding(seconds: 60)
        }
    }

    func composeMail(for workerID: String, _ rows: [Store.MailItemRow], mailer: Mailer, now t: Instant) throws {
        guard let worker = try store.worker(workerID), let address = worker.email, !address.isEmpty else {
            logger.warning("email: worker \(workerID) has no email address; \(rows.count) notification(s) go to the journal only",
                           metadata: ["worker": "\(workerID)"])
            try store.dropMailItems(worker: workerID, keys: rows.map(\.key))
            return
        }
        let recipient = MailRecipient(workerID: workerID, name: worker.displayName ?? worker.name, address: address, greetAsIs: worker.displayName != nil)
        var people: [String: MailItem.Person] = [:]
        func person(_ id: String) throws -> MailItem.Person? {
            if let p = people[id] { return p }
            let p = try store.worker(id).map { MailItem.Person(id: $0.id, name: $0.displayName ?? MailComposer.spoken($0.name)) }
            people[id] = p
            return p
        }
        var items: [String: MailItem] = [:]
        for row in rows {
            guard let n = try store.notification(row.key) else { continue }
            let rule = rulesByID[n.ruleID]
            let facts = try store.mailFacts(of: n.caseRef)
            let owner = try n.owner.flatMap(person)
            let ownerManager = try n.owner.flatMap { try store.worker($0)?.manager }.flatMap(person)
            let others = try Set(n.recipients.compactMap(\.worker)).subtracting([n.owner].compactMap { $0 }).sorted().compactMap(person)
            items[row.key] = MailItem(
                key: n.key, caseRef: n.caseRef, initials: facts?.initials, ruleTitle: rule?.title ?? n.ruleID,
                action: rule?.action, source: rule?.source ?? "", stage: n.stage, severity: n.severity, dueAt: n.dueAt, isExact: n.isExact,
                level: n.level, owner: owner, ownerManager: ownerManager, escalatedTo: n.stage == .escalation ? others : [], calendar: facts?.calendar,
                alarmLead: rule?.remind.map(\.roughSeconds).max())
        }
        // Each deadline due at once is one email, however many of its notices fell due together (an overdue
        // notice and the first escalation); everything else due now goes in one digest.
        var immediate: [String: [String]] = [:]
        var order: [String] = []
        for row in rows where row.immediate {
            let k = PlannedNotification.parts(ofKey: row.key)?.deadlineKey ?? row.key
            if immediate[k] == nil { order.append(k) }
            immediate[k, default: []].append(row.key)
        }
        // Calendar events to cancel ride on the first email that goes to the worker now.
        var cancelled = try store.calendarCancellations(worker: workerID, now: t)
        func takeCancellations() -> [Store.Cancellation] {
            defer { cancelled = [] }
            return cancelled
        }
        for k in order {
            let keys = immediate[k]!
            let list = keys.compactMap { items[$0] }
            guard !list.isEmpty else { try store.dropMailItems(worker: workerID, keys: keys); continue }
            let cancel = takeCancellations()
            let id = "urgent.\(workerID).\(t.seconds).\(String(stableHash(k), radix: 36))"
            let message = mailer.composer.compose(to: recipient, about: list, cancelled: cancel.map { ($0.deadlineKey, $0.dueAt, $0.isExact) }, now: t, id: id)
            try store.queueMail(worker: workerID, address: address, kind: "immediate", subject: message.subject,
                                message: message.render(), items: keys, cancelled: cancel.map(\.deadlineKey), now: t)
        }
        let digest = rows.filter { !$0.immediate }.map(\.key)
        guard !digest.isEmpty else { return }
        let fresh = digest.compactMap { items[$0] }
        guard !fresh.isEmpty else { try store.dropMailItems(worker: workerID, keys: digest); return }
        let outstanding = try outstandingItems(for: workerID, now: t)
        let cancel = takeCancellations()
        let id = "digest.\(workerID).\(t.seconds).\(String(stableHash(digest[0]), radix: 36))"
        let message = mailer.composer.composeDigest(to: recipient, new: fresh, outstanding: outstanding,
                                                    cancelled: cancel.map { ($0.deadlineKey, $0.dueAt, $0.isExact) }, now: t, id: id)
        try store.queueMail(worker: workerID, address: address, kind: "digest", subject: message.subject,
                            message: message.render(), items: digest, cancelled: cancel.map(\.deadlineKey), now: t)
    }

    /// Everything a worker owns that is overdue or due within the week, as a digest's "still outstanding";
    /// each marked if an email about it has already gone to them.
    func outstandingItems(for workerID: String, now t: Instant) throws -> [MailItem] {
        let emailed = Set(try store.emailedKeys(worker: workerID).compactMap { PlannedNotification.parts(ofKey: $0)?.deadlineKey })
        var facts: [String: (initials: String?, calendar: String)?] = [:]
        return try store.agenda(.worker(workerID), within: 7 * 86_400, overdueOnly: false, now: t).map { a in
            if facts[a.caseRef] == nil { facts[a.caseRef] = .some(try store.mailFacts(of: a.caseRef)) }
            let f = facts[a.caseRef] ?? nil
            let rule = rulesByID[a.ruleID]
            let stage: NotificationStage = a.status == .overdue ? .overdue : a.status == .due ? .due : .reminder
            return MailItem(
                key: PlannedNotification.key(deadline: a.deadlineKey, stage: stage, level: 0, due: a.dueAt), caseRef: a.caseRef, initials: f?.initials,
                ruleTitle: rule?.title ?? a.ruleID, action: rule?.action, source: rule?.source ?? "", stage: stage,
                severity: rule?.severity ?? .routine, dueAt: a.dueAt, isExact: a.isExact, calendar: f?.calendar,
                alarmLead: rule?.remind.map(\.roughSeconds).max(), emailed: emailed.contains(a.deadlineKey))
        }
    }

    /// Hands every sendable message to the SMTP client over one connection; the outcome is recorded on the
    /// scheduler's queue. One batch at a time.
    func startSending(mailer: Mailer, now t: Instant) throws {
        let rows: [Store.MailRow]
        do {
            rows = try store.sendableMail(at: t, limit: 500)
            guard !rows.isEmpty else { return machine.nothingToSend() }
            try store.markMailSending(rows.map(\.id))
        } catch {
            machine.nothingToSend()
            throw error
        }
        let envelopes = rows.map { SMTPEnvelope(id: $0.id, from: mailer.config.bounceAddress, recipients: [$0.address], message: $0.message) }
        let client = mailer.currentClient(configPath: context.settings.configPath)
        let store = store
        let now = context.now
        let queue = context.queue
        // The SMTP conversation runs on NIO's event loop; its outcome comes back to the daemon's queue (never
        // waited for there).
        Task(executorPreference: DaemonExecutor.shared) { [weak self] in
            // Each acceptance is recorded the moment the relay gives it, so a crash can repeat only the
            // message whose acceptance was not yet written.
            let outcomes = await client.send(envelopes, onOutcome: { id, outcome in
                if case .delivered = outcome { try? store.markMailSent(id, at: now()) }
            })
            queue.async { [weak self] in self?.recordMail(rows, outcomes, in: store) }
        }
    }

    /// Marks each message sent, to be retried, or failed (escalating), then looks at the outbox again.
    ///
    /// A relay problem (the login refused, TLS or its certificate failing) is not the messages' fault: the
    /// whole batch waits and is tried again, however long it takes, and the admin is alerted once, at once,
    /// at `crit`; never a give-up for each message.
    /// `store` is the one the batch was taken from (a reload may have moved to another since).
    ///
    /// An outcome that cannot be written (the store locked by an import, the disk full) is written again
    /// shortly, up to `recordAttempts` times; only then is the batch over. Past that, its row stays `sending`
    /// and is sent again at the next start.
    func recordMail(_ rows: [Store.MailRow], _ outcomes: [Int: SMTPOutcome], in store: Store, attempt: Int = 1) {
        let t = now()
        var unrecorded: [Store.MailRow] = []
        var relayProblem: SMTPError?
        var delivered = false
        var givenUp: [(row: Store.MailRow, error: String)] = []
        for row in rows {
            do {
                switch outcomes[row.id] ?? .failed(.connection("no outcome")) {
                case .delivered:
                    // Already written as the relay accepted it; again here in case that write failed.
                    try store.markMailSent(row.id, at: t)
                    delivered = true
                    context.metrics?.delivered(.email, .delivered)
                case .failed(let error) where error.isRelayProblem:
                    relayProblem = error
                    let retryAt = t.adding(seconds: mailer?.timing.retryDelay(afterAttempts: row.attempts + 1) ?? 3600)
                    try store.markMailRetry(row.id, error: error.description, retryAt: retryAt)
                    context.metrics?.delivered(.email, .retry)
                case .failed(let error) where error.isTemporary && t.seconds - row.createdAt.seconds < (mailer?.config.giveUpAfter ?? 0):
                    let retryAt = t.adding(seconds: mailer?.timing.retryDelay(afterAttempts: row.attempts + 1) ?? 3600)
                    try store.markMailRetry(row.id, error: error.description, retryAt: retryAt)
                    context.metrics?.delivered(.email, .retry)
                    logger.warning("email to \(row.address) not sent yet (\(error)); trying again at \(ruleSet.zone.humanDateTime(retryAt))",
                                   metadata: ["message-id": "\(MessageID.mailRetry)", "mail-id": "\(row.id)", "error": "\(error)"])
                case .failed(let error):
                    try store.markMailFailed(row.id, error: error.description)
                    context.metrics?.delivered(.email, .givenUp)
                    givenUp.append((row, error.description))
                }
            } catch {
                if attempt == Self.recordAttempts { logger.error("email: could not record the outcome of message \(row.id): \(error); it is sent again at the next start") }
                unrecorded.append(row)
            }
        }
        // One notice to the admin per address, however many of its messages were given up together.
        var byAddress: [String: [(row: Store.MailRow, error: String)]] = [:]
        for g in givenUp { byAddress[g.row.address, default: []].append(g) }
        for address in byAddress.keys.sorted() { escalateUndeliverable(byAddress[address]!, now: t) }
        // The batch failed at the relay (once a batch, not once a message): it refused permanenced, or could
        // not be reached or did not answer.
        let failures = rows.compactMap { row -> SMTPError? in
            if case .failed(let e) = outcomes[row.id] ?? .failed(.connection("no outcome")) { return e }
            return nil
        }
        if attempt == 1, let f = relayProblem ?? failures.first(where: { $0.category == "connection" || $0.category == "timeout" }) {
            context.metrics?.relayFailed(kind: f.category)
        }
        noteRelay(problem: relayProblem, delivered: delivered, waiting: rows.count, in: store)
        // Shutting down, the stop timeout allows one more try.
        if !unrecorded.isEmpty && attempt < (machine.isDraining ? 2 : Self.recordAttempts) {
            let again = unrecorded
            context.queue.asyncAfter(deadline: .now() + .seconds(5)) { [weak self] in
                self?.recordMail(again, outcomes, in: store, attempt: attempt + 1)
            }
            return
        }
        switch machine.batchFinished() {
        case .recordAndStop:
            drained?.resume()
            drained = nil
        case .recordAndLookAgain:
            request(now: t)
        }
    }

    /// Alerts the admin once when the relay starts refusing permanenced (not once a message), and says so
    /// when it works again. The outage is kept in the store, so a restart does not alert again.
    func noteRelay(problem: SMTPError?, delivered: Bool, waiting: Int, in store: Store) {
        let stamped = problem.map { "\(ruleSet.zone.iso8601(now())) \($0)" }
        switch machine.relay(problem: stamped, delivered: delivered) {
        case .none:
            break
        case .alert(let text):
            logger.critical(
                "email cannot be sent: \(problem!). \(waiting) message(s) wait in the outbox and nothing is given up; fix the relay settings or credential, then check with permanenced send-test",
                metadata: ["message-id": "\(MessageID.mailRelayProblem)", "error": "\(problem!)"])
            try? store.setDaemonState(["mail-relay-problem": text])
        case .recovered(let since):
            logger.notice("email: the relay accepts permanenced again (refused since \(since.prefix(25)))")
            try? store.setDaemonState(["mail-relay-problem": ""])
        }
    }

    /// Messages to one address that will never arrive: the journal at `crit` for each, and one email to the
    /// admin address about them all.
    func escalateUndeliverable(_ failed: [(row: Store.MailRow, error: String)], now t: Instant) {
        for (row, error) in failed {
            logger.critical("email to \(row.address) could not be delivered and was given up: \(error); \"\(row.subject)\"", metadata: [
                "message-id": "\(MessageID.mailUndeliverable)", "mail-id": "\(row.id)", "owner": "\(row.worker ?? "")", "error": "\(error)",
            ])
        }
        let told = failed.filter { $0.row.kind != "undeliverable" }
        guard let first = told.first, let mailer, let admin = mailer.config.admin else { return }
        let message = mailer.composer.composeUndeliverable(
            to: admin, address: first.row.address, worker: first.row.worker, messages: told.map { ($0.row.subject, $0.row.createdAt) },
            reason: first.error, now: t, id: "undeliverable.\(first.row.id).\(t.seconds)")
        _ = try? store.queueMail(worker: nil, address: admin, kind: "undeliverable", subject: message.subject,
                                 message: message.render(), items: [], now: t)
    }

    /// Tries at writing a batch's outcomes, 5 seconds apart.
    static let recordAttempts = 12

    /// The configuration was reloaded. On another store, messages a crash left `sending` there go again and
    /// its relay outage is taken up, unless a batch (from the old store) is still in flight: that batch is
    /// recorded in the store it came from, and the machine keeps its state.
    func reloaded(previous: DaemonRuntime) {
        if previous.store.path != store.path && !machine.isSending {
            started()
        } else if mailer == nil, machine.emailTurnedOff() {
            try? store.setDaemonState(["mail-relay-problem": ""])
        }
    }

    /// Shutting down: waits for a batch in flight to finish (SIGTERM lets it complete, and its outcome is
    /// recorded), and starts no other. Suspends the caller; never blocks the queue.
    func finish() async {
        let queue = context.queue
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            queue.async {
                self.requestSink.finish()
                switch self.machine.shutdown() {
                case .stopNow: c.resume()
                case .waitForBatch: self.drained = c
                }
            }
        }
    }
}
