import Foundation
import Logging
import PermanenceCore
import PermanenceMail
import PermanenceStore

/// The weekly team reports (`[email] team-report`): at the week's moment, one email to each team manager
/// about their direct reports, and one to each service manager about everyone under them, team by team. Each
/// report goes only to the manager of the workers it lists. A week's reports are queued together with the
/// week marked done, so a restart neither repeats nor loses them; a week missed by more than a day (the
/// daemon stopped over it) is not sent late with stale figures: the next week's report covers both.
///
/// Touched only on the daemon's queue.
struct TeamReports {
    let context: DaemonContext

    /// Reports are sent this long after their moment at most (the daemon was stopped at the moment).
    static let lateness = 86_400

    private var store: Store { context.runtime.store }
    private var ruleSet: RuleSet { context.runtime.ruleSet }

    /// The next moment a team report is due after `t`, for the timer.
    func nextMoment(after t: Instant, mailer: Mailer) -> Instant? {
        mailer.timing.teamReport(after: t)
    }

    /// Queues this week's reports if their moment has come and they are not yet sent.
    func sendIfDue(now t: Instant, mailer: Mailer) throws {
        guard let slot = mailer.timing.teamReport(atOrBefore: t) else { return }
        let last = try store.lastTeamReport()
        if let last, last >= slot { return }
        guard t.seconds - slot.seconds <= Self.lateness else { return }
        let since = last ?? slot.adding(seconds: -7 * 86_400)
        let messages = try compose(since: since, now: t, mailer: mailer)
        try store.queueTeamReports(messages, slot: slot, now: t)
        context.logger.info("weekly team report: \(messages.count) email(s) queued to managers")
    }

    /// Each manager's report (`since` the last one).
    func compose(since: Instant, now t: Instant, mailer: Mailer) throws -> [(worker: String, address: String, subject: String, message: [UInt8])] {
        let workers = try store.workers()
        let byID = Dictionary(workers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let reports = Dictionary(grouping: workers.filter { $0.manager != nil }, by: { $0.manager! })
        func name(_ w: Worker) -> String { w.displayName ?? MailComposer.spoken(w.name) }
        let names = Dictionary(workers.map { ($0.id, name($0)) }, uniquingKeysWith: { a, _ in a })
        let today = ruleSet.zone.localDate(at: t)
        let absences = try store.absences(endingFrom: today)
        let titles = Dictionary(ruleSet.rules.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        let plans = Dictionary(ruleSet.vocabulary.plans.map { ($0.name, $0.meaning) }, uniquingKeysWith: { a, _ in a })
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
            let facts = try store.teamFacts(workers: ids, since: since, now: t)
            var input = TeamReport.Inputs(scope: scope, workers: team.map { ($0.id, name($0)) }, facts: facts, titles: titles, plans: plans, names: names)
            input.teamOf = teamOf
            input.absences = absences.filter { ids.contains($0.worker) }.map { a in
                (a.worker, a.from, a.to, a.deputy.map { d in byID[d].map(name) ?? d })
            }
            input.thresholds = ruleSet.configuration.scorecard
            for c in facts.cases {
                if let (_, events) = try store.caseWithEvents(c.ref), let figures = AdoptionScorecard.figures(of: events, ruleSet: ruleSet) {
                    input.scorecard[c.ref] = figures
                }
            }
            let report = TeamReport.build(input, zone: ruleSet.zone)
            let recipient = MailRecipient(workerID: manager.id, name: manager.displayName ?? manager.name, address: address,
                                          greetAsIs: manager.displayName != nil)
            let id = "team-report.\(manager.id).\(t.seconds)"
            guard let message = mailer.composer.composeTeamReport(to: recipient, report, id: id) else { return [] }
            out.append((manager.id, address, message.subject, message.render()))
        }
        return out
    }
}
