import PermanenceCore
import SMTPCore

/// Writes the emails workers receive. Three kinds, each with the admin's subject, text and HTML templates
/// (Mustache escapes HTML):
/// - `urgent`: one deadline that needs its owner now (the owner's copy of an escalation says to whom it went);
/// - `escalation`: one deadline escalated to a manager, naming the owner, the level and how late it is;
/// - `digest`: what is new since the worker's last email, then everything of theirs still outstanding
///   (overdue, due today, due this week).
///
/// One deadline is one line: items about the same deadline (a reminder, its due notice and an escalation)
/// become the latest of them. Every email about one deadline is threaded (`References:` the deadline's own
/// Message-ID), and its calendar event keeps one UID. Pure: the clock, the message identity and the parsed
/// templates are parameters.
public struct MailComposer: Sendable {
    let config: EmailConfiguration
    let zone: ZoneRules
    /// The domain of `from`: Message-IDs and calendar UIDs are ours under it, whatever this host is called.
    let domain: String
    let templates: MailTemplates
    let calendars: [String: WorkingCalendar]
    let defaultCalendar: String?

    public init(config: EmailConfiguration, zone: ZoneRules, templates: MailTemplates,
                calendars: [String: WorkingCalendar] = [:], defaultCalendar: String? = nil) {
        self.config = config
        self.zone = zone
        self.domain = Self.domain(of: config.from)
        self.templates = templates
        self.calendars = calendars
        self.defaultCalendar = defaultCalendar
    }

    static func domain(of address: String) -> String {
        let d = address.split(separator: "@").last.map(String.init) ?? ""
        return d.isEmpty || d == address ? "localhost" : d
    }

    /// The email kinds, each with its three templates (`KIND-subject`, `KIND-text`, `KIND-html`).
    public enum Kind: String, Sendable, CaseIterable {
        case urgent, escalation, digest
    }

    /// The kind of an email of its own about `item` to `recipient`.
    public static func kind(of item: MailItem, for recipient: MailRecipient) -> Kind {
        item.stage == .escalation && item.owner?.id != recipient.workerID ? .escalation : .urgent
    }

    /// Items about the same deadline become one: the latest on the ladder.
    public static func oneEach(_ items: [MailItem]) -> [MailItem] {
        var order: [String] = []
        var best: [String: MailItem] = [:]
        for i in items {
            let k = i.deadlineKey
            if let b = best[k] {
                if i.supersedes(b) { best[k] = i }
            } else {
                order.append(k)
                best[k] = i
            }
        }
        return order.map { best[$0]! }
    }

    enum Section: Int, CaseIterable {
        case overdue, today, week, later
        var title: String { ["Overdue", "Due today", "Due this week", "Coming up"][rawValue] }
        var count: String { ["overdue", "due today", "due this week", "coming up"][rawValue] }
    }

    func section(_ item: MailItem, now: Instant) -> Section {
        if item.dueAt <= now { return .overdue }
        let today = zone.localDate(at: now)
        let day = item.dueDay(zone)
        if day == today { return .today }
        return day.dayNumber - today.dayNumber <= 7 ? .week : .later
    }

    func calendar(_ item: MailItem) -> WorkingCalendar? {
        (item.calendar.flatMap { calendars[$0] }) ?? defaultCalendar.flatMap { calendars[$0] }
    }

    func standing(_ item: MailItem, now: Instant) -> MailStanding {
        MailStanding(item, now: now, zone: zone, calendar: calendar(item))
    }

    /// An email of its own about one deadline (the latest of `items`, which are all about it), carrying
    /// `cancelled` calendar events as a digest does.
    public func compose(to recipient: MailRecipient, about items: [MailItem], cancelled: Cancellations = [], now: Instant, id: String) -> MailMessage {
        let item = Self.oneEach(items).max { $1.supersedes($0) } ?? items[0]
        let kind = Self.kind(of: item, for: recipient)
        var context = itemContext(item, recipient: recipient, now: now)
        context["recipient"] = greeting(recipient)
        context["now"] = MailDates.human(now, exact: true, zone: zone)
        context["today"] = MailDates.human(now, exact: false, zone: zone)
        let subject = fittedSubject(kind, context)
        var m = message(to: recipient, subject: subject, kind: kind, context: context, events: [item], now: now, id: id,
                        references: [threadID(item.deadlineKey)])
        attachCancellations(cancelled, to: &m, now: now)
        return m
    }

    /// A digest: `new` (since the worker's last email) and `outstanding` (everything of theirs overdue or
    /// due within the week, from the store), each deadline once; an outstanding item also new is shown as new.
    /// `cancelled` are deadlines whose calendar events the worker should drop (met or no longer needed since
    /// they were emailed): a second calendar file, `METHOD:CANCEL`, with the same UIDs.
    public func composeDigest(to recipient: MailRecipient, new: [MailItem], outstanding: [MailItem], cancelled: Cancellations = [],
                              now: Instant, id: String) -> MailMessage {
        let fresh = Self.oneEach(new).sorted(by: Self.dueOrder)
        let newKeys = Set(fresh.map(\.deadlineKey))
        let rest = Self.oneEach(outstanding).filter { !newKeys.contains($0.deadlineKey) }.sorted(by: Self.dueOrder)
        let all = fresh + rest
        var bySection: [Section: Int] = [:]
        for i in all { bySection[section(i, now: now), default: 0] += 1 }
        let counts = Section.allCases.compactMap { s in bySection[s].map { "\($0) \(s.count)" } }.joined(separator: ", ")
        var sections: [[String: Any]] = []
        for (title, list) in [("New since your last email", fresh), ("Still outstanding", rest)] where !list.isEmpty {
            let cases: [[String: Any]] = Self.groupedByCase(list).map { ref, caseItems in
                var c: [String: Any] = ["ref": ref, "heading": caseHeading(ref, initials: caseItems.first?.initials),
                                        "items": caseItems.map { itemContext($0, recipient: recipient, now: now) }]
                if let l = link(ref) { c["link"] = l }
                if let i = caseItems.first?.initials { c["initials"] = i }
                return c
            }
            sections.append(["title": title, "title_upper": title.uppercased(), "count": list.count, "cases": cases])
        }
        // Each rule's source once, in plain words, at the end.
        var seen = Set<String>()
        let sources: [[String: Any]] = all.compactMap { i in
            let s = Self.plainSource(i.source)
            guard !s.isEmpty, seen.insert(i.ruleTitle).inserted else { return nil }
            return ["title": i.ruleTitle, "source": s]
        }
        let context: [String: Any] = [
            "recipient": greeting(recipient), "now": MailDates.human(now, exact: true, zone: zone),
            "today": MailDates.human(now, exact: false, zone: zone), "counts": counts, "sections": sections,
            "sources": sources, "has_sources": !sources.isEmpty, "new_count": fresh.count, "count": all.count,
            "has_calendar": all.contains { $0.dueAt > now },
        ]
        let subject = HeaderField.sanitized(templates.render("digest-subject", context))
        var m = message(to: recipient, subject: subject, kind: .digest, context: context, events: all, now: now, id: id, references: [])
        attachCancellations(cancelled, to: &m, now: now)
        return m
    }

    /// Deadlines whose calendar events the worker should drop (met or no longer needed since they were
    /// emailed), as a second calendar file, `cancelled.ics` (`METHOD:CANCEL`, the same UIDs), in whichever
    /// email goes to the worker next.
    public typealias Cancellations = [(deadlineKey: String, dueAt: Instant, isExact: Bool)]

    func attachCancellations(_ cancelled: Cancellations, to m: inout MailMessage, now: Instant) {
        guard !cancelled.isEmpty else { return }
        let events = cancelled.map { c -> ICalendar.Event in
            // As the event was sent: timed, or the whole due day.
            let day = zone.localDate(at: c.dueAt.adding(seconds: -1))
            return ICalendar.Event(uid: uid(c.deadlineKey), start: c.isExact ? MailDates.icsUTC(c.dueAt.adding(seconds: -1800)) : MailDates.icsDate(day),
                                   end: c.isExact ? MailDates.icsUTC(c.dueAt) : MailDates.icsDate(day.adding(days: 1)),
                                   summary: "Done or no longer needed", description: "", sequence: Self.sequence(now))
        }
        let calendar = ICalendar(stamp: MailDates.icsUTC(now), events: events, method: .cancel, organizer: organizer)
        m.attachments.append(.init(filename: "cancelled.ics", contentType: "text/calendar; method=CANCEL", content: Array(calendar.render().utf8)))
    }

    /// The calendars' ORGANIZER (RFC 5546 §3.2 wants one on PUBLISH and CANCEL): our from address.
    var organizer: MailMessage.Mailbox { .init(name: config.fromName, address: config.from) }

    /// A deadline's calendar UID: from its key (case, rule, anchor event, cycle) under our domain.
    func uid(_ deadlineKey: String) -> String { "\(String(stableHash(deadlineKey), radix: 36))@\(domain)" }

    static func dueOrder(_ a: MailItem, _ b: MailItem) -> Bool {
        (a.dueAt, a.caseRef, a.key) < (b.dueAt, b.caseRef, b.key)
    }

    func message(to recipient: MailRecipient, subject: String, kind: Kind, context: [String: Any], events items: [MailItem],
                 now: Instant, id: String, references: [String]) -> MailMessage {
        // A calendar holds what is still ahead: an overdue deadline would be an event in the past.
        let ahead = items.filter { $0.dueAt > now }
        let calendar = ICalendar(stamp: MailDates.icsUTC(now), events: ahead.map { event($0, now: now) }, organizer: organizer)
        var headers: [(String, String)] = [("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")]
        if kind == .digest { headers.append(("Precedence", "bulk")) }
        let replyTo = config.replyTo ?? config.admin
        return MailMessage(
            from: .init(name: config.fromName, address: config.from), to: [.init(name: recipient.name, address: recipient.address)],
            // A worker id may hold `@`: one `@` in a Message-ID, before our domain.
            subject: subject, date: MailDates.rfc5322(now, zone: zone), messageID: "\(id.replacing("@", with: "."))@\(domain)",
            text: templates.render("\(kind.rawValue)-text", context), html: templates.render("\(kind.rawValue)-html", context),
            attachments: ahead.isEmpty ? [] : [.init(filename: "deadlines.ics", contentType: "text/calendar; method=PUBLISH", content: Array(calendar.render().utf8))],
            replyTo: replyTo.map { .init(name: "Permanence administrator", address: $0) }, references: references, extraHeaders: headers)
    }

    /// The admin's notice that email to `address` was given up: the messages (subject, when first queued) and
    /// why, from the `undeliverable-*` templates; plain text, with no case data beyond the subjects the worker
    /// would have received.
    public func composeUndeliverable(to admin: String, address: String, worker: String?, messages: [(subject: String, queued: Instant)],
                                     reason: String, now: Instant, id: String) -> MailMessage {
        let context: [String: Any] = [
            "address": address, "worker": worker as Any, "count": messages.count, "one": messages.count == 1, "reason": reason,
            "messages": messages.map { ["subject": $0.subject, "queued": zone.humanDateTime($0.queued)] as [String: Any] },
        ]
        return MailMessage(
            from: .init(name: config.fromName, address: config.from), to: [.init(address: admin)],
            subject: HeaderField.sanitized(templates.render("undeliverable-subject", context)), date: MailDates.rfc5322(now, zone: zone),
            messageID: "\(id.replacing("@", with: "."))@\(domain)", text: templates.render("undeliverable-text", context),
            extraHeaders: [("Auto-Submitted", "auto-generated"), ("X-Auto-Response-Suppress", "All")])
    }

    /// The subject, with the rule's title shortened when the whole would pass 78 characters.
    func fittedSubject(_ kind: Kind, _ context: [String: Any]) -> String {
        var subject = HeaderField.sanitized(templates.render("\(kind.rawValue)-subject", context))
        if subject.count > 78, let title = context["title"] as? String, title.count > 20 {
            var shorter = context
            shorter["title"] = String(title.prefix(max(20, title.count - (subject.count - 78) - 1))).trimmingCharacters() + "…"
            subject = HeaderField.sanitized(templates.render("\(kind.rawValue)-subject", shorter))
        }
        return subject
    }

    /// The Message-ID every email about a deadline refers to, so mail clients thread them.
    func threadID(_ deadlineKey: String) -> String {
        "deadline.\(String(stableHash(deadlineKey), radix: 36))@\(domain)"
    }

    /// What a template sees for one item.
    func itemContext(_ item: MailItem, recipient: MailRecipient, now: Instant) -> [String: Any] {
        let s = standing(item, now: now)
        var c: [String: Any] = [
            "title": item.ruleTitle, "due": dueLine(item, now: now), "when": s.when, "stage_words": s.words,
            "source": Self.plainSource(item.source), "ref": item.caseRef, "heading": caseHeading(item.caseRef, initials: item.initials),
            "stage": item.stage.rawValue, "severity": item.severity.rawValue,
        ]
        if let a = item.action { c["action"] = a }
        if let i = item.initials { c["initials"] = i }
        if let l = link(item.caseRef) { c["link"] = l }
        if item.severity == .urgent { c["urgent"] = true }
        if s.isOverdue { c["overdue"] = true }
        if let o = s.overdueBy { c["overdue_by"] = o }
        if let n = s.workingDaysLeft { c["working_days_left"] = n }
        if let h = s.closures { c["closures"] = h }
        if item.emailed { c["emailed"] = true }
        if let o = item.owner { c["owner"] = o.name }
        // The owner's manager, unless that is who the email is for.
        if let m = item.ownerManager, m.id != recipient.workerID { c["owner_manager"] = m.name }
        if item.stage == .escalation {
            c["escalated"] = true
            c["level"] = item.level
            if item.owner?.id == recipient.workerID {
                // The owner's copy: escalated to whom, not "to you".
                let to = item.escalatedTo.map(\.name)
                if !to.isEmpty { c["escalated_to"] = to.joined(separator: ", ") }
            } else {
                c["escalated_to_you"] = true
            }
        }
        return c
    }

    /// The name to greet by: the admin's `display-name` as it stands, else the name as people say it.
    func greeting(_ r: MailRecipient) -> String { r.greetAsIs ? r.name : Self.spoken(r.name) }

    /// `Jo Bloggs`: a directory-style `Bloggs, Jo (Team A)` as people say it.
    public static func spoken(_ name: String) -> String {
        var n = name
        if let open = n.firstIndex(of: "("), n.hasSuffix(")") { n = String(n[..<open]).trimmingCharacters() }
        let parts = n.split(separator: ",", maxSplits: 1).map { String($0).trimmingCharacters() }
        if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty { n = "\(parts[1]) \(parts[0])" }
        return n.isEmpty ? name : n
    }

    /// A rule's source as people cite it: the document and section, without the internal document number
    /// (`001 `) or the passage after `: ` ("Adoption Agencies Regulations 2005 reg 36(4)(a): visited
    /// within one week..." is "Adoption Agencies Regulations 2005 reg 36(4)(a)").
    static func plainSource(_ source: String) -> String {
        var s = Substring(source)
        let digits = s.prefix { $0.isNumber }
        if !digits.isEmpty, s.dropFirst(digits.count).first == " " { s = s.dropFirst(digits.count + 1) }
        if let passage = s.range(of: ": ") { s = s[..<passage.lowerBound] }
        return String(s).trimmingCharacters()
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

    /// One calendar event per deadline: UID from the deadline's key and our domain (so every email about it
    /// updates one event); a timed deadline ends at its moment, a whole-day one fills its day; the alarm at
    /// the rule's reminder lead; the sequence from the moment of writing, so a later email always wins.
    func event(_ item: MailItem, now: Instant) -> ICalendar.Event {
        let description = ([caseHeading(item.caseRef, initials: item.initials), item.action.map { "What to do: \($0)" },
                            "Source: \(Self.plainSource(item.source))"].compactMap { $0 }).joined(separator: "\n")
        let uid = uid(item.deadlineKey)
        let summary = "\(item.ruleTitle) (case \(item.caseRef))"
        let sequence = Self.sequence(now)
        if item.isExact {
            return .init(uid: uid, start: MailDates.icsUTC(item.dueAt.adding(seconds: -1800)), end: MailDates.icsUTC(item.dueAt),
                         summary: summary, description: description, url: link(item.caseRef), sequence: sequence,
                         alarmBefore: item.alarmLead.map { max(0, $0 - 1800) })
        }
        let day = item.dueDay(zone)
        return .init(uid: uid, start: MailDates.icsDate(day), end: MailDates.icsDate(day.adding(days: 1)),
                     summary: summary, description: description, url: link(item.caseRef), sequence: sequence, alarmBefore: item.alarmLead)
    }

    /// Seconds since 2020 (RFC 5545 §3.8.7.4 wants a revision that only grows: each email is newer).
    static func sequence(_ now: Instant) -> Int { max(0, now.seconds - 1_577_836_800) }

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

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
