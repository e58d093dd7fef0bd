import Dispatch
import Foundation
import Logging
import PermanenceCore
import PermanenceMail
import PermanenceStore

/// The weekly team reports (`[email] team-report`): at the week's moment, one email to each team manager
/// about their direct reports, and one to each service manager about everyone under them, team by team. Each
/// report goes only to the manager of the workers it lists.
///
/// The reports are worked out off the daemon's queue (a service manager over a whole authority reads every
/// open case), then queued on it together with the week marked done, so a restart neither repeats nor loses
/// them. A week is one ISO week: a report whose moment moved within it (a reload that changed the time) is
/// not sent twice. A week missed by more than a day (the daemon stopped over it) is not sent late with stale
/// figures: the next week's report covers both. A failure is tried again after `retryDelay`, and never holds
/// up the rest of the mail.
///
/// Touched only on the daemon's queue.
final class TeamReports: @unchecked Sendable {
    let context: DaemonContext
    /// Called on the queue when a week's reports are queued (the mail outbox has something to send).
    var queued: (Instant) -> Void = { _ in }
    private var composing = false
    private var retryAt: Instant?
    private let work = DispatchQueue(label: "permanenced.team-report")

    /// Reports are sent this long after their moment at most (the daemon was stopped at the moment).
    static let lateness = 86_400
    static let retryDelay = 300

    init(context: DaemonContext) {
        self.context = context
    }

    /// The next moment to look again after `t`, for the timer.
    func nextMoment(after t: Instant, mailer: Mailer) -> Instant? {
        [retryAt.map { max($0, t.adding(seconds: 1)) }, mailer.timing.teamReport(after: t)].compactMap { $0 }.min()
    }

    /// Starts this week's reports off the queue if their moment has come and they are not yet sent.
    func startIfDue(now t: Instant, mailer: Mailer) {
        guard mailer.composer.composesTeamReports, !composing, retryAt.map({ t >= $0 }) ?? true, let slot = mailer.timing.teamReport(atOrBefore: t),
              t.seconds - slot.seconds <= Self.lateness else { return }
        let runtime = context.runtime
        let zone = runtime.zone
        let last: Instant?
        do {
            last = try runtime.store.lastTeamReport()
        } catch {
            return failed("could not read when the last team report went: \(error)", now: t)
        }
        if let last, Self.week(of: last, zone) >= Self.week(of: slot, zone) { return }
        retryAt = nil
        composing = true
        // The first report looks back to the week before's moment (after a bank holiday Monday, that Monday).
        let since = last ?? mailer.timing.teamReport(atOrBefore: slot.adding(seconds: -1)) ?? slot.adding(seconds: -7 * 86_400)
        work.async { [self] in
            let result = Result { try Self.compose(store: runtime.store, ruleSet: runtime.ruleSet, mailer: mailer, since: since, now: t) }
            context.queue.async { [self] in
                composing = false
                do {
                    let messages = try result.get()
                    try runtime.store.queueTeamReports(messages, slot: slot, now: t)
                    context.logger.info("weekly team report: \(messages.count) email(s) queued to managers")
                    queued(context.now())
                } catch {
                    failed("\(error)", now: context.now())
                }
            }
        }
    }

    private func failed(_ why: String, now t: Instant) {
        retryAt = t.adding(seconds: Self.retryDelay)
        context.logger.error("weekly team report: \(why); trying again at \(context.runtime.zone.humanDateTime(retryAt!))")
    }

    /// The Monday of the ISO week `t` falls in, as a day number.
    static func week(of t: Instant, _ zone: ZoneRules) -> Int {
        let day = zone.localDate(at: t)
        return day.dayNumber - (day.weekday - 1)
    }

    /// Each manager's report (`since` the last one), read from `store`: off the daemon's queue.
    static func compose(store: Store, ruleSet: RuleSet, mailer: Mailer, since: Instant, now t: Instant) throws
        -> [(worker: String, address: String, subject: String, message: [UInt8])]
    {
        let workers = try store.workers()
        let byID = Dictionary(workers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let reports = Dictionary(grouping: workers.filter { $0.manager != nil }, by: { $0.manager! })
        func name(_ w: Worker) -> String { w.displayName ?? MailComposer.spoken(w.name) }
        let names = Dictionary(workers.map { ($0.id, name($0)) }, uniquingKeysWith: { a, _ in a })
        let absences = try store.absences(endingFrom: ruleSet.zone.localDate(at: t))
        let titles = Dictionary(ruleSet.rules.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        let plans = Dictionary(ruleSet.vocabulary.plans.map { ($0.name, $0.meaning) }, uniquingKeysWith: { a, _ in a })
        let evaluator = Evaluator(ruleSet: ruleSet)
        var scorecards: [String: AdoptionScorecard.Figures?] = [:]
        var out: [(worker: String, address: String, subject: String, message: [UInt8])] = []
        for manager in workers.sorted(by: { $0.id < $1.id }) {
            guard let address = manager.email, !address.isEmpty else { continue }
            let scope: TeamReport.Scope = manager.roles.contains("service-manager") ? .service : .team
            // A service manager's report covers everyone beneath them; a team manager's, their direct reports.
            var team: [Worker] = []
            var teamOf: [String: String] = [:]
            if scope == .service {
                var queue = [manager.id]
                var seen: Set<String> = [manager.id]
                while !queue.isEmpty {
                    let id = queue.removeFirst()
                    for w in (reports[id] ?? []).sorted(by: { $0.id < $1.id }) where seen.insert(w.id).inserted {
                        team.append(w)
                        // Each worker under their own manager's team (those reporting to the service manager together).
                        teamOf[w.id] = id == manager.id ? "Reporting to you" : names[id] ?? id
                        queue.append(w.id)
                    }
                }
            } else {
                team = (reports[manager.id] ?? []).sorted { $0.id < $1.id }
            }
            guard !team.isEmpty else { continue }
            let ids = Set(team.map(\.id))
            let facts = try store.teamFacts(workers: ids, since: since, now: t, weekEnd: TeamReport.weekEnd(after: t, zone: ruleSet.zone))
            var input = TeamReport.Inputs(scope: scope, workers: team.map { ($0.id, name($0)) }, facts: facts, titles: titles, plans: plans, names: names)
            input.teamOf = teamOf
            input.absences = absences.filter { ids.contains($0.worker) }.map { a in
                (a.worker, a.from, a.to, a.deputy.map { d in byID[d].map(name) ?? d })
            }
            input.thresholds = ruleSet.configuration.scorecard
            // Each case's scorecard dates once, however many reports list it (a team's and its service's).
            for c in facts.cases {
                if scorecards[c.ref] == nil {
                    scorecards[c.ref] = .some(try store.caseWithEvents(c.ref).flatMap { _, events in
                        AdoptionScorecard.figures(of: events, ruleSet: ruleSet, evaluator: evaluator)
                    })
                }
                if let f = scorecards[c.ref] ?? nil { input.scorecard[c.ref] = f }
            }
            let report = TeamReport.build(input, zone: ruleSet.zone)
            let recipient = MailRecipient(workerID: manager.id, name: manager.displayName ?? manager.name, address: address,
                                          greetAsIs: manager.displayName != nil)
            guard let message = mailer.composer.composeTeamReport(to: recipient, report, id: "team-report.\(manager.id).\(t.seconds)") else { continue }
            out.append((manager.id, address, message.subject, message.render()))
        }
        return out
    }
}
