import PermanenceCore
import SMTPCore

/// Writes the emails workers receive: a digest of their items under Overdue, Due today, Due this week and
/// Coming up, then by case, or a single urgent item. The admin's templates lay out the subject, the plain
/// text and the HTML (Mustache escapes HTML); an iCalendar file holds each deadline. Pure: the clock, the
/// message identity and the parsed templates are parameters.
public struct MailComposer: Sendable {
    let config: EmailConfiguration
    let zone: ZoneRules
    /// Our host name, for Message-IDs.
    let host: String
    let templates: MailTemplates

    public init(config: EmailConfiguration, zone: ZoneRules, host: String, templates: MailTemplates) {
        self.config = config
        self.zone = zone
        self.host = host
        self.templates = templates
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
        let kind = immediate ? "urgent" : "digest"
        let context = immediate && !sorted.isEmpty ? urgentContext(sorted[0], recipient: recipient, now: now) : digestContext(sorted, recipient: recipient, now: now)
        let subject = HeaderField.sanitized(templates.render("\(kind)-subject", context))
        let calendar = ICalendar(stamp: MailDates.icsUTC(now), events: sorted.map(event))
        return MailMessage(
            from: .init(name: config.fromName, address: config.from), to: [.init(name: recipient.name, address: recipient.address)],
            subject: subject, date: MailDates.rfc5322(now, zone: zone), messageID: "\(id)@\(host)",
            text: templates.render("\(kind)-text", context), html: templates.render("\(kind)-html", context),
            attachments: [.init(filename: "deadlines.ics", contentType: "text/calendar; method=PUBLISH", content: Array(calendar.render().utf8))],
            extraHeaders: [("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")])
    }

    /// What a template sees for one item.
    func itemContext(_ item: MailItem, now: Instant) -> [String: Any] {
        var c: [String: Any] = [
            "title": item.ruleTitle, "due": dueLine(item, now: now), "source": item.source, "ref": item.caseRef,
            "heading": caseHeading(item.caseRef, initials: item.initials), "stage": item.stage.rawValue,
        ]
        if let a = item.action { c["action"] = a }
        if let i = item.initials { c["initials"] = i }
        if let l = link(item.caseRef) { c["link"] = l }
        if item.stage == .escalation { c["escalated"] = true }
        if item.severity == .urgent { c["urgent"] = true }
        if item.dueAt <= now { c["overdue"] = true }
        return c
    }

    func urgentContext(_ item: MailItem, recipient: MailRecipient, now: Instant) -> [String: Any] {
        var c = itemContext(item, now: now)
        c["recipient"] = recipient.name
        c["now"] = MailDates.human(now, exact: true, zone: zone)
        c["today"] = MailDates.human(now, exact: false, zone: zone)
        return c
    }

    func digestContext(_ items: [MailItem], recipient: MailRecipient, now: Instant) -> [String: Any] {
        let bySection = Dictionary(grouping: items) { section($0, now: now) }
        var sections: [[String: Any]] = []
        var counts: [String] = []
        for s in Section.allCases {
            guard let inSection = bySection[s], !inSection.isEmpty else { continue }
            counts.append("\(inSection.count) \(s.title.lowercased())")
            let cases: [[String: Any]] = Self.groupedByCase(inSection).map { ref, caseItems in
                var c: [String: Any] = ["ref": ref, "heading": caseHeading(ref, initials: caseItems.first?.initials),
                                        "items": caseItems.map { itemContext($0, now: now) }]
                if let l = link(ref) { c["link"] = l }
                if let i = caseItems.first?.initials { c["initials"] = i }
                return c
            }
            sections.append(["title": s.title, "title_upper": s.title.uppercased(), "count": inSection.count, "cases": cases])
        }
        return ["recipient": recipient.name, "now": MailDates.human(now, exact: true, zone: zone),
                "today": MailDates.human(now, exact: false, zone: zone), "counts": counts.joined(separator: ", "), "sections": sections]
    }

    func caseHeading(_ ref: String, initials: String?) -> String {
        initials.map { "Case \(ref) (\($0))" } ?? "Case \(ref)"
    }

    func link(_ ref: String) -> String? {
        config.caseLink.map { $0.replacing("{case}", with: Self.percentEncoded(ref)) }
    }

    func dueLine(_ item: MailItem, now: Instant) -> String {
        let when = MailDates.human(item.isExact ? item.dueAt : item.dueAt.adding(seconds: -1), exact: item.isExact, zone: zone)
        return item.dueAt <= now ? "Was due \(when)" : "Due \(when)"
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

    static func percentEncoded(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E {
                out.append(Character(Unicode.Scalar(b)))
            } else {
                out += (b < 16 ? "%0" : "%") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
