import Mustache
import PermanenceCore

/// The email templates admins edit (Mustache, in `[email] templates`, by default `templates/` beside the
/// configuration): a subject, a plain-text and an HTML body for digests and for urgent emails. Parsed once,
/// checked for syntax and for names the composer does not provide (a typo would otherwise print nothing).
public struct MailTemplates: Sendable {
    /// Every template, by name; the file is `NAME.mustache`: three for each email a worker receives, and a
    /// subject and plain text for the admin's notice that email to someone was given up.
    public static let names = MailComposer.Kind.allCases.flatMap { k in ["subject", "text", "html"].map { "\(k.rawValue)-\($0)" } }
        + ["undeliverable-subject", "undeliverable-text"] + optional

    /// Templates an admin's directory may lack: the weekly team report's. Without them no team report goes
    /// out (check-config says so), and nothing else changes.
    public static let optional = ["team-report-subject", "team-report-text", "team-report-html"]

    /// Names the composer puts in a template's context (`docs` of the shipped templates list them).
    public static let knownNames: Set<String> = [
        ".", "recipient", "now", "today", "counts", "sections", "title", "title_upper", "count", "cases", "ref", "initials",
        "heading", "link", "items", "due", "overdue", "action", "source", "escalated", "urgent", "stage",
        "when", "stage_words", "severity", "overdue_by", "working_days_left", "closures", "emailed", "owner", "owner_manager", "level",
        "escalated_to", "escalated_to_you", "sources", "has_sources", "has_calendar", "new_count",
        // The admin's notice of undeliverable email.
        "address", "worker", "messages", "subject", "queued", "reason", "one",
        // The weekly team report.
        "since", "scope_team", "scope_service", "workers", "name", "week", "escalations", "away", "bar_overdue", "bar_week",
        "bar_rest", "bar_text", "overdue_total", "week_total", "escalations_total", "newly_overdue", "met_on_time", "met_late",
        "new_cases", "plan", "opened", "waiting", "days_in_care", "days_since_order", "over_a1", "over_a2", "a1", "a2", "teams",
        "manager", "has_changes", "has_waiting", "has_teams",
    ]

    let templates: [String: MustacheTemplate]
    /// Templates missing from the admin's directory that stand in for newer ones (an `escalation-*` template
    /// missing from a directory made before escalations had their own: the `urgent-*` one is used), so an
    /// upgrade never stops the daemon; `check-config` says so.
    public let fallbacks: [String]

    /// A template that may be missing, and the one used instead.
    static let standIns = ["escalation-subject": "urgent-subject", "escalation-text": "urgent-text", "escalation-html": "urgent-html"]

    /// Templates newer than some admins' directories, with the text shipped in `config/templates` built in:
    /// a directory made before them still works, and `check-config` says which are missing.
    static let builtIn = [
        "undeliverable-subject": "permanenced: email to {{{address}}} could not be delivered\n",
        "undeliverable-text": """
            permanenced could not deliver {{#one}}an email{{/one}}{{^one}}{{{count}}} emails{{/one}} and has given up.

            To: {{{address}}}{{#worker}} (worker {{{worker}}}){{/worker}}
            {{#messages}}
              - "{{{subject}}}", first queued {{{queued}}}
            {{/messages}}
            Reason: {{{reason}}}

            The worker has not been told by email. Their reminders are in the journal
            (journalctl -t permanenced) and in `permanenced agenda`. Please tell them directly,
            then fix the address, the relay settings or the credential.

            """,
    ]

    /// A template problem: `file:line: message`.
    public struct Problems: Error, CustomStringConvertible {
        public let messages: [String]
        public var description: String { messages.joined(separator: "\n") }

        public init(messages: [String]) {
            self.messages = messages
        }
    }

    /// Parses every template; a missing file, a syntax error or an unknown name is a problem naming the file
    /// and line. `files` maps a template name to its file (nil when the file is missing).
    public static func parse(_ files: [String: SourceFile?], directory: String) throws(Problems) -> MailTemplates {
        var problems: [String] = []
        var parsed: [String: MustacheTemplate] = [:]
        var fallbacks: [String] = []
        for name in names {
            var file = files[name] ?? nil
            if file == nil, let standIn = standIns[name], let other = files[standIn] ?? nil {
                file = other
                fallbacks.append("\(directory)/\(name).mustache is missing: \(standIn).mustache is used instead (copy the shipped \(name).mustache to give managers their own)")
            }
            if file == nil, let text = builtIn[name] {
                file = SourceFile(path: "(built in)/\(name).mustache", text: text)
                fallbacks.append("\(directory)/\(name).mustache is missing: the built-in one is used (copy the shipped \(name).mustache to change it)")
            }
            if file == nil, optional.contains(name) {
                fallbacks.append("\(directory)/\(name).mustache is missing: no weekly team report is sent until it is there (copy the shipped \(name).mustache)")
                continue
            }
            guard let file else {
                problems.append("\(directory)/\(name).mustache: missing (every email template must exist; copy it from the shipped templates/)")
                continue
            }
            do {
                parsed[name] = try MustacheTemplate(string: file.text)
            } catch let e as MustacheTemplate.ParserError {
                problems.append("\(file.path):\(e.context.lineNumber): \(name): \(e.error) near '\(e.context.line.prefix(60))'")
                continue
            } catch {
                problems.append("\(file.path):1: \(name): \(error)")
                continue
            }
            for (tag, line) in tags(file.text) where !knownNames.contains(tag) {
                problems.append("\(file.path):\(line): \(name): unknown name '\(tag)'; known names: \(knownNames.filter { $0 != "." }.sorted().joined(separator: ", "))")
            }
        }
        guard problems.isEmpty else { throw Problems(messages: problems) }
        return MailTemplates(templates: parsed, fallbacks: fallbacks)
    }

    /// The first component of each tag's name, with its line (comments and partials left out).
    static func tags(_ text: String) -> [(String, Int)] {
        var out: [(String, Int)] = []
        var line = 1
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            line += rest[..<open.lowerBound].filter { $0 == "\n" }.count
            let after = rest[open.upperBound...]
            guard let close = after.firstRange(of: "}}") else { break }
            var tag = after[..<close.lowerBound]
            line += tag.filter { $0 == "\n" }.count
            rest = after[close.upperBound...]
            if rest.first == "}" { rest = rest.dropFirst() }
            guard let sigil = tag.first, !"!>=%<$".contains(sigil) else { continue }
            if "#^/&{".contains(sigil) { tag = tag.dropFirst() }
            let name = tag.filter { $0 != " " }.split(separator: ".").first.map(String.init) ?? "."
            out.append((name.isEmpty ? "." : name, line))
        }
        return out
    }

    /// Whether the template was found (an optional one may be missing).
    func has(_ name: String) -> Bool { templates[name] != nil }

    func render(_ name: String, _ context: [String: Any]) -> String {
        templates[name]?.render(context) ?? ""
    }
}
