import SMTPCore
/// `[email]`: the relay, who mail comes from, when digests go out, quiet hours and retries.
/// Secrets are never here: `password-file` names a file (a systemd credential).
public struct EmailConfiguration: Sendable, Equatable {
    public var enabled = false
    public var host = "localhost"
    /// Default: 587 for STARTTLS, 465 for `tls`, 25 for `none`.
    public var port: Int?
    /// `starttls` (required, the default), `tls` (port 465) or `none` (a loopback relay only).
    public var tls = "starttls"
    /// PEM bundle to trust instead of the system store.
    public var caFile: String?
    /// The name given in EHLO; default: this host's name.
    public var helo: String?
    public var from = "permanenced@localhost"
    public var fromName = "Permanence reminders"
    public var username: String?
    /// A file holding the password or OAuth 2 token; relative names are looked up in `$CREDENTIALS_DIRECTORY`.
    public var passwordFile: String?
    /// `auto`, `plain`, `login` or `xoauth2`.
    public var auth = "auto"
    /// Who hears about a message that cannot be delivered.
    public var admin: String?
    /// Where replies go (`Reply-To:`); default: `admin`. Nobody reads `from`.
    public var replyTo: String?
    /// The envelope sender (`MAIL FROM`), where bounces go after the relay accepted a message; default:
    /// `admin`, else `from`.
    public var envelopeFrom: String?

    /// The envelope sender in effect.
    public var bounceAddress: String { envelopeFrom ?? admin ?? from }
    /// Local times at which digests go out on working days (seconds after midnight).
    public var digestTimes: [Int] = [8 * 3600 + 30 * 60]
    /// Digests go out on working days of the default calendar (`working`, the default) or every day (`all`).
    public var digestOnEveryDay = false
    /// Severities also sent at once, outside the digest.
    public var immediate: [Severity] = [.urgent]
    /// Quiet hours (local, seconds after midnight); an email that falls in them waits for the next
    /// working morning, unless waiting would take it past the deadline.
    public var quietStart: Int? = 19 * 3600
    public var quietEnd: Int? = 8 * 3600
    /// Waits between attempts after a temporary failure, in seconds; the last repeats.
    public var retry: [Int] = [60, 300, 900, 3600]
    /// Give up (and escalate) once a message has failed for this long.
    public var giveUpAfter = 4 * 86_400
    /// Link to the case record; `{case}` is replaced by the case reference.
    public var caseLink: String?
    /// Directory of the Mustache templates, relative to the configuration file.
    public var templates = "templates"
    /// The weekly team report (`team-report = "monday 08:00"`): the weekday (1 Monday … 7 Sunday) and local time
    /// (seconds after midnight) it goes to each manager; nil: no team report.
    public var teamReport: WeeklyTime?

    /// A weekday and a local time.
    public struct WeeklyTime: Sendable, Equatable {
        /// 1 Monday … 7 Sunday.
        public var weekday: Int
        /// Seconds after midnight.
        public var time: Int

        public init(weekday: Int, time: Int) {
            self.weekday = weekday
            self.time = time
        }
    }
    /// RFC 5321 §4.5.3.2 timeouts scale from this (seconds to wait for a reply to a command; default 300).
    public var commandTimeout = 300

    public init() {}

    /// `monday 08:00` (or `mon 08:00`; any case): the weekday, 1 for Monday to 7 for Sunday, and the time.
    public static func parseWeeklyTime(_ s: String) -> WeeklyTime? {
        let parts = s.lowercased().split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let time = parseClockTime(String(parts[1])) else { return nil }
        let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        guard let i = days.firstIndex(where: { $0 == parts[0] || ($0.prefix(3) == parts[0]) }) else { return nil }
        return WeeklyTime(weekday: i + 1, time: time)
    }

    static func decode(_ t: inout TableReader) -> EmailConfiguration {
        var e = EmailConfiguration()
        if let b = t.bool("enabled") { e.enabled = b }
        if let s = t.string("host") { e.host = s }
        e.port = t.integer("port", in: 1...65535)
        if let s = t.string("tls") {
            if ["starttls", "tls", "none"].contains(s) { e.tls = s } else {
                t.report("tls", t.lineOf("tls"), "'\(s)' is not one of starttls, tls, none")
            }
        }
        e.caFile = t.string("ca-file")
        e.helo = t.string("helo")
        if let s = t.string("from") { e.from = s }
        if let s = t.string("from-name") { e.fromName = s }
        e.username = t.string("username")
        e.passwordFile = t.string("password-file")
        if let s = t.string("auth") {
            if ["auto", "plain", "login", "xoauth2"].contains(s) { e.auth = s } else {
                t.report("auth", t.lineOf("auth"), "'\(s)' is not one of auto, plain, login, xoauth2")
            }
        }
        e.admin = t.string("admin")
        e.replyTo = t.string("reply-to")
        e.envelopeFrom = t.string("envelope-from")
        for (k, v) in [("from", e.from), ("admin", e.admin), ("reply-to", e.replyTo), ("envelope-from", e.envelopeFrom)] {
            if let v, let problem = EmailAddress.problem(v) { t.report(k, t.lineOf(k), "'\(v)' is not an email address: \(problem)") }
        }
        if t.has("digest-times") {
            e.digestTimes = []
            for (s, line) in t.strings("digest-times") {
                if let v = parseClockTime(s) { e.digestTimes.append(v) } else { t.report("digest-times", line, "'\(s)' is not a time HH:MM") }
            }
            e.digestTimes.sort()
        }
        if let s = t.string("digest-days") {
            if s == "working" || s == "all" { e.digestOnEveryDay = s == "all" } else {
                t.report("digest-days", t.lineOf("digest-days"), "'\(s)' is not one of working, all")
            }
        }
        if t.has("immediate") {
            e.immediate = []
            for (s, line) in t.strings("immediate") {
                if let v = Severity(rawValue: s) { e.immediate.append(v) } else {
                    t.report("immediate", line, "'\(s)' is not one of \(Severity.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
        }
        for (k, path) in [("quiet-start", \EmailConfiguration.quietStart), ("quiet-end", \EmailConfiguration.quietEnd)] {
            guard let s = t.string(k) else { continue }
            if s.isEmpty { e[keyPath: path] = nil } else if let v = parseClockTime(s) { e[keyPath: path] = v } else {
                t.report(k, t.lineOf(k), "'\(s)' is not a time HH:MM (or \"\" for no quiet hours)")
            }
        }
        if t.has("retry") {
            e.retry = []
            for (s, line) in t.strings("retry") {
                if let v = Self.parseDuration(s), v > 0 { e.retry.append(v) } else { t.report("retry", line, "'\(s)' is not a duration such as \"30s\", \"5m\", \"1h\"") }
            }
        }
        if let s = t.string("give-up-after") {
            if let v = Self.parseDuration(s), v > 0 { e.giveUpAfter = v } else { t.report("give-up-after", t.lineOf("give-up-after"), "'\(s)' is not a duration such as \"4d\"") }
        }
        if let s = t.string("case-link") {
            if s.contains("{case}") { e.caseLink = s } else { t.report("case-link", t.lineOf("case-link"), "must contain {case}, where the case reference goes") }
        }
        if let v = t.integer("command-timeout", in: 1...3600) { e.commandTimeout = v }
        if let s = t.string("team-report") {
            if s == "off" || s.isEmpty { e.teamReport = nil } else if let r = Self.parseWeeklyTime(s) { e.teamReport = r } else {
                t.report("team-report", t.lineOf("team-report"), "'\(s)' is not a weekday and time such as \"monday 08:00\" (or \"off\")")
            }
        }
        if let s = t.string("templates") { e.templates = s }
        // Digests name children's cases: in clear text only to a relay on this machine, unless the admin
        // says, in so many words, that the network to the relay is trusted.
        let cleartextOK = t.bool("insecure-cleartext-relay") ?? false
        if e.tls == "none" && !Self.isLoopback(e.host) && !cleartextOK {
            t.report("tls", t.lineOf("tls"),
                "tls = \"none\" sends children's case details in clear text to '\(e.host)', which is not this machine; use starttls or tls, or (only on a network you trust end to end) set insecure-cleartext-relay = true")
        }
        if e.enabled && e.username != nil && e.passwordFile == nil {
            t.report("password-file", t.lineOf("username"), "a username needs a password-file (the secret is never in this file)")
        }
        return e
    }

    /// `30s`, `5m`, `1h`, `4d` in seconds.
    public static func parseDuration(_ s: String) -> Int? {
        guard let unit = s.last, let n = Int(s.dropLast()), n >= 0 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86_400
        default: return nil
        }
    }

    /// `localhost`, `127.0.0.0/8` or `::1`: a relay on this machine.
    static func isLoopback(_ host: String) -> Bool {
        var h = Substring(host.lowercased())
        if h.hasPrefix("[") && h.hasSuffix("]") { h = h.dropFirst().dropLast() }
        if h == "localhost" || h == "::1" || h.hasSuffix(".localhost") { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
