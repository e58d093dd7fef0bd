import PermanenceCore
import SMTPCore

extension MailComposer {
    /// Whether the admin's template directory has the team report's (older ones may not).
    public var composesTeamReports: Bool { templates.has("team-report-text") }

    /// The weekly team report (or service report) to a manager, from the `team-report-*` templates: nil when
    /// the admin's template directory has none (check-config says so). Its charts are HTML tables (bars as
    /// coloured cells, no image, script or external resource), the plain-text part says the same with
    /// `#` and `+` bars. Cases appear by reference and initials only.
    public func composeTeamReport(to recipient: MailRecipient, _ report: TeamReport, id: String) -> MailMessage? {
        guard composesTeamReports else { return nil }
        let context = teamReportContext(report, recipient: recipient)
        return MailMessage(
            from: .init(name: config.fromName, address: config.from), to: [.init(name: recipient.name, address: recipient.address)],
            subject: HeaderField.sanitized(templates.render("team-report-subject", context)), date: MailDates.rfc5322(report.now, zone: zone),
            messageID: "\(id.replacing("@", with: "."))@\(domain)",
            text: templates.render("team-report-text", context),
            html: templates.has("team-report-html") ? templates.render("team-report-html", context) : nil,
            replyTo: (config.replyTo ?? config.admin).map { .init(name: "Permanence administrator", address: $0) },
            extraHeaders: [("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All"), ("Precedence", "bulk")])
    }

    /// What the team report's templates see.
    func teamReportContext(_ r: TeamReport, recipient: MailRecipient) -> [String: Any] {
        // Bars share one scale: the busiest worker's overdue and due-this-week together fill the bar.
        let widest = max(1, r.workers.map { $0.overdue + $0.dueThisWeek }.max() ?? 1)
        func percent(_ n: Int) -> Int { n == 0 ? 0 : max(1, n * 100 / widest) }
        func textBar(_ n: Int, _ mark: Character) -> String { String(repeating: mark, count: n == 0 ? 0 : max(1, n * 20 / widest)) }
        let workers: [[String: Any]] = r.workers.map { w in
            var c: [String: Any] = ["name": w.name, "overdue": w.overdue, "week": w.dueThisWeek, "escalations": w.escalationsOpen,
                                    "bar_text": textBar(w.overdue, "#") + textBar(w.dueThisWeek, "+")]
            let o = percent(w.overdue), k = percent(w.dueThisWeek)
            if o > 0 { c["bar_overdue"] = o }
            if k > 0 { c["bar_week"] = k }
            if o + k < 100 { c["bar_rest"] = 100 - o - k }
            if let a = w.away { c["away"] = a }
            return c
        }
        func changes(_ list: [TeamReport.Change]) -> [[String: Any]] {
            list.map { c in
                var d: [String: Any] = ["ref": c.caseRef, "heading": caseHeading(c.caseRef, initials: c.initials), "title": c.title, "owner": c.owner, "when": c.when]
                if let l = link(c.caseRef) { d["link"] = l }
                return d
            }
        }
        let waiting: [[String: Any]] = r.waiting.map { w in
            var d: [String: Any] = ["ref": w.caseRef, "heading": caseHeading(w.caseRef, initials: w.initials), "plan": w.plan, "owner": w.worker,
                                    "days_in_care": w.daysInCare]
            if let s = w.daysSinceOrder { d["days_since_order"] = s }
            if w.overA1 { d["over_a1"] = true }
            if w.overA2 { d["over_a2"] = true }
            if let l = link(w.caseRef) { d["link"] = l }
            return d
        }
        var c: [String: Any] = [
            "recipient": greeting(recipient), "now": MailDates.human(r.now, exact: true, zone: zone), "today": MailDates.human(r.now, exact: false, zone: zone),
            "since": MailDates.human(r.since, exact: true, zone: zone), "workers": workers, "count": r.workers.count,
            "overdue_total": r.overdue, "week_total": r.dueThisWeek, "escalations_total": r.escalationsOpen,
            "newly_overdue": changes(r.newlyOverdue), "met_on_time": changes(r.metOnTime), "met_late": changes(r.metLate),
            "new_cases": r.newCases.map { n in
                ["ref": n.caseRef, "heading": caseHeading(n.caseRef, initials: n.initials), "plan": n.plan, "owner": n.worker, "opened": n.opened] as [String: Any]
            },
            "waiting": waiting, "a1": r.thresholds.a1, "a2": r.thresholds.a2,
            "teams": r.teams.map { t in
                ["manager": t.manager, "overdue": t.overdue, "week": t.dueThisWeek, "escalations": t.escalationsOpen] as [String: Any]
            },
        ]
        c[r.scope == .team ? "scope_team" : "scope_service"] = true
        if !(r.newlyOverdue.isEmpty && r.metOnTime.isEmpty && r.metLate.isEmpty && r.newCases.isEmpty) { c["has_changes"] = true }
        if !r.waiting.isEmpty { c["has_waiting"] = true }
        if !r.teams.isEmpty { c["has_teams"] = true }
        return c
    }
}
