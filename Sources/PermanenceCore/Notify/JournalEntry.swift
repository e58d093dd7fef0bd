/// syslog priorities as the journal records them (`PRIORITY=`).
public enum JournalPriority: Int, Sendable, Comparable, CaseIterable {
    case emergency = 0, alert, critical, error, warning, notice, info, debug

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One journal entry: its fields in order, `MESSAGE` and `PRIORITY` included. No I/O: the daemon's journal
/// layer sends the fields with `sd_journal_sendv`, or writes `<N>MESSAGE` to stderr.
public struct JournalEntry: Sendable, Equatable {
    public var priority: JournalPriority
    public var message: String
    /// Further fields (upper-case names), excluding MESSAGE, PRIORITY and SYSLOG_IDENTIFIER.
    public var fields: [(String, String)]

    public init(priority: JournalPriority, message: String, fields: [(String, String)] = []) {
        self.priority = priority
        self.message = message
        self.fields = fields
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.priority == b.priority && a.message == b.message && a.fields.elementsEqual(b.fields, by: ==)
    }

    /// Every field as `NAME=value`, as the journal receives them.
    public var allFields: [String] {
        ["MESSAGE=\(Self.clean(message))", "PRIORITY=\(priority.rawValue)", "SYSLOG_IDENTIFIER=permanenced"]
            + fields.map { "\($0.0)=\(Self.clean($0.1))" }
    }

    /// The value of a field (MESSAGE and PRIORITY included).
    public func field(_ name: String) -> String? {
        switch name {
        case "MESSAGE": return message
        case "PRIORITY": return String(priority.rawValue)
        default: return fields.first { $0.0 == name }?.1
        }
    }

    /// One line per entry: a newline in a value must not start what looks like another entry or field.
    static func clean(_ s: String) -> String {
        // Most values have no line break: handed back as they are, not rebuilt a scalar at a time.
        guard s.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars { out.append(u == "\n" || u == "\r" ? " " : u) }
        return String(out)
    }
}

/// The stable `MESSAGE_ID`s permanenced logs with, each explained in `systemd/permanenced.catalog`.
public enum MessageID {
    public static let reminder = "84cb114990e241a28e62077b05ce02f4"
    public static let due = "8ea3f1743e164a64b53fa6ee686d7097"
    public static let overdue = "febd0cc193c1411e9a50a75d9ef7f926"
    public static let escalation = "233f5b29432c4085a4b11b87c8655480"
    public static let started = "8b9b12073405483e821b710612341282"
    public static let reloaded = "2c0a2022ff744fb1958aca18e40eaa78"
    public static let reloadRefused = "6b988516976647de816773b4ab7cd00e"
    public static let stopping = "3c6a99179ddb4aea975f28931d94f775"
    public static let importRejected = "3865c1c562da4d2cacd535b32b4f2c7a"
    public static let caughtUp = "bb997036ab1a401fa10215ad3ebd130b"
    public static let mailRetry = "bf87c37296e14e32bb61dfb885ad3729"
    public static let mailUndeliverable = "735227e437ef40e581de99456801abb8"
    public static let scheduleRetry = "c693402b80d14582bab9cc33b4093089"
    public static let clockBehind = "6109b0423e9f47f393724283f8da2e25"
    public static let clockStepped = "16d9bc277f994037a557b285439ee143"
    public static let storeDamaged = "4c0e2b8f3d7a4e51a9f0c6d2b1e8a735"
    public static let mailRelayProblem = "bb8cba5bc5f04459a49c3dbc9ac7dd0e"
    public static let inboxRetry = "23f45262c5204c64b9c06a8d9aa2293d"
    public static let auditHead = "e6fdaa7f1822488d97a88130e62900be"
    public static let backlog = "5a0d7e3c9b2f4e86a1c4d8f02b6e7193"

    /// The id for a notification stage.
    public static func stage(_ s: NotificationStage) -> String {
        switch s {
        case .reminder: return reminder
        case .due: return due
        case .overdue: return overdue
        case .escalation: return escalation
        }
    }

    /// Every id with a short name, for the catalog test.
    public static let all: [(String, String)] = [
        ("reminder", reminder), ("due", due), ("overdue", overdue), ("escalation", escalation), ("started", started),
        ("reloaded", reloaded), ("reload-refused", reloadRefused), ("stopping", stopping),
        ("import-rejected", importRejected), ("caught-up", caughtUp), ("mail-retry", mailRetry),
        ("mail-undeliverable", mailUndeliverable), ("schedule-retry", scheduleRetry), ("clock-behind", clockBehind),
        ("clock-stepped", clockStepped), ("store-damaged", storeDamaged), ("mail-relay-problem", mailRelayProblem), ("inbox-retry", inboxRetry), ("audit-head", auditHead), ("backlog", backlog),
    ]
}
