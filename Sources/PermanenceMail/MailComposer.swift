import PermanenceCore
import SMTPCore

/// Writes the emails workers receive: a digest of their items grouped by case under Overdue, Due today, Due
/// this week and Later, or a single urgent item; plain text and HTML, with an iCalendar file holding each
/// deadline. Pure: the clock and the message identity are parameters.
public struct MailComposer: Sendable {
    let config: EmailConfiguration
    let zone: ZoneRules
    /// Our host name, for Message-IDs.
    let host: String

    public init(config: EmailConfiguration, zone: ZoneRules, host: String) {
        self.config = config
        self.zone = zone
        self.host = host
    }

    enum Section: Int, CaseIterable {
        case overdue, today, week, later
        var title: String { ["Overdue", "Due today", "Due this week", "Coming up"][rawValue] }
    }

    func section(_ item: MailItem, now: Instant) -> Section {
        if item.dueAt <= now { return .overdue }
        let today = zone.localDate(at: now)
        let day = item.dueDay(zone)
        if day == today { return .today }
        return day.dayNumber - today.dayNumber <= 7 ? .week : .later
    }

    /// The email for `items` (one item for an immediate email). `id` makes the Message-ID unique and stable.
    public func compose(to recipient: MailRecipient, items: [MailItem], immediate: Bool, now: Instant, id: String) -> MailMessage {
        let sorted = items.sorted { ($0.dueAt, $0.caseRef, $0.key) < ($1.dueAt, $1.caseRef, $1.key) }
        let counts = Dictionary(grouping: sorted) { section($0, now: now) }
        var text = "Hello \(recipient.name),\n\n"
        var html = "<p>Hello \(Self.html(recipient.name)),</p>\n"
        if immediate, let item = sorted.first {
            let heading = caseHeading(item.caseRef, initials: item.initials)
            text += "This needs your attention now.\n\n\(heading)\(link(item.caseRef).map { "\n\($0)" } ?? "")\n"
            html += "<p><strong>This needs your attention now.</strong></p>\n"
            html += "<h3>\(Self.html(heading))\(link(item.caseRef).map { " <a href=\"\(Self.html($0))\">open the case record</a>" } ?? "")</h3>\n"
            text += block(item, now: now)
            html += "<ul>\n" + htmlItem(item, now: now) + "</ul>\n"
        } else {
            text += "Your permanence deadlines as of \(MailDates.human(now, exact: true, zone: zone)):\n"
            for s in Section.allCases {
                guard let inSection = counts[s], !inSection.isEmpty else { continue }
                text += "\n\(s.title.uppercased()) (\(inSection.count))\n"
                html += "<h2>\(s.title) (\(inSection.count))</h2>\n"
                for (ref, caseItems) in Self.groupedByCase(inSection) {
                    let heading = caseHeading(ref, initials: caseItems.first?.initials)
                    text += "\n  \(heading)\(link(ref).map { "\n  \($0)" } ?? "")\n"
                    html += "<h3>\(Self.html(heading))\(link(ref).map { " <a href=\"\(Self.html($0))\">open the case record</a>" } ?? "")</h3>\n<ul>\n"
                    for item in caseItems {
                        text += block(item, now: now, indent: "    ")
                        html += htmlItem(item, now: now)
                    }
                    html += "</ul>\n"
                }
            }
        }
        text += "\nThe attached calendar file holds each deadline.\n-- \npermanenced: sent automatically; please do not reply. Ask your permanence admin about these reminders.\n"
        html += "<p style=\"color:#555\">The attached calendar file holds each deadline. Sent automatically by permanenced; please do not reply.</p>\n"
        let subject = immediate ? immediateSubject(sorted.first, now: now) : digestSubject(counts, now: now)
        let calendar = ICalendar(stamp: MailDates.icsUTC(now), events: sorted.map(event))
        return MailMessage(
            from: .init(name: config.fromName, address: config.from), to: [.init(name: recipient.name, address: recipient.address)],
            subject: subject, date: MailDates.rfc5322(now, zone: zone), messageID: "\(id)@\(host)",
            text: text, html: "<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif\">\n\(html)</body></html>\n",
            attachments: [.init(filename: "deadlines.ics", contentType: "text/calendar; method=PUBLISH", content: Array(calendar.render().utf8))],
            extraHeaders: [("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")])
    }

    func caseHeading(_ ref: String, initials: String?) -> String {
        initials.map { "Case \(ref) (\($0))" } ?? "Case \(ref)"
    }

    func link(_ ref: String) -> String? {
        config.caseLink.map { $0.replacingOccurrences(of: "{case}", with: Self.percentEncoded(ref)) }
    }

    func dueLine(_ item: MailItem, now: Instant) -> String {
        let when = MailDates.human(item.isExact ? item.dueAt : item.dueAt.adding(seconds: -1), exact: item.isExact, zone: zone)
        return item.dueAt <= now ? "Was due \(when)" : "Due \(when)"
    }

    func block(_ item: MailItem, now: Instant, indent: String = "") -> String {
        var s = "\(indent)- \(item.ruleTitle)\(item.stage == .escalation ? " [escalated to you]" : "")\n"
        s += "\(indent)  \(dueLine(item, now: now))\n"
        if let a = item.action { s += "\(indent)  What to do: \(a)\n" }
        s += "\(indent)  Source: \(item.source)\n"
        return s
    }

    func htmlItem(_ item: MailItem, now: Instant) -> String {
        var s = "<li><strong>\(Self.html(item.ruleTitle))</strong>\(item.stage == .escalation ? " <em>(escalated to you)</em>" : "")<br>"
        s += "\(Self.html(dueLine(item, now: now)))<br>"
        if let a = item.action { s += "What to do: \(Self.html(a))<br>" }
        return s + "<small>Source: \(Self.html(item.source))</small></li>\n"
    }

    func digestSubject(_ counts: [Section: [MailItem]], now: Instant) -> String {
        let parts = Section.allCases.compactMap { s in counts[s].map { "\($0.count) \(s.title.lowercased())" } }
        return "Permanence deadlines \(MailDates.human(now, exact: false, zone: zone)): \(parts.joined(separator: ", "))"
    }

    func immediateSubject(_ item: MailItem?, now: Instant) -> String {
        guard let item else { return "Permanence deadline" }
        let label = item.dueAt <= now ? "Overdue" : "Due \(MailDates.human(item.isExact ? item.dueAt : item.dueAt.adding(seconds: -1), exact: item.isExact, zone: zone))"
        return "\(item.severity == .urgent ? "URGENT: " : "")\(label): \(item.ruleTitle) (case \(item.caseRef))"
    }

    func event(_ item: MailItem) -> ICalendar.Event {
        let description = ([caseHeading(item.caseRef, initials: item.initials), item.action.map { "What to do: \($0)" }, "Source: \(item.source)"]
            .compactMap { $0 }).joined(separator: "\n")
        let uid = "\(item.key.split(separator: "/").prefix(3).joined(separator: "."))@\(host)"
        if item.isExact {
            return .init(uid: uid, start: MailDates.icsUTC(item.dueAt), end: MailDates.icsUTC(item.dueAt.adding(seconds: 1800)),
                         summary: "\(item.ruleTitle) (case \(item.caseRef))", description: description, url: link(item.caseRef))
        }
        let day = item.dueDay(zone)
        return .init(uid: uid, start: MailDates.icsDate(day), end: MailDates.icsDate(day.adding(days: 1)),
                     summary: "\(item.ruleTitle) (case \(item.caseRef))", description: description, url: link(item.caseRef))
    }

    /// Cases in order of their first item, each with its items in due order.
    static func groupedByCase(_ items: [MailItem]) -> [(String, [MailItem])] {
        var order: [String] = []
        var byCase: [String: [MailItem]] = [:]
        for i in items {
            if byCase[i.caseRef] == nil { order.append(i.caseRef) }
            byCase[i.caseRef, default: []].append(i)
        }
        return order.map { ($0, byCase[$0]!) }
    }

    static func html(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func percentEncoded(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E {
                out.append(Character(Unicode.Scalar(b)))
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded()
            }
        }
        return out
    }
}

extension String {
    func leftPadded() -> String { count < 2 ? "0" + self : self }

    func replacingOccurrences(of target: String, with replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound] + replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
