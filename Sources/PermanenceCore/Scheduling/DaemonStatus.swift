/// The one-line state the daemon reports to the service manager (`STATUS=`) and to `permanenced status`.
public struct DaemonStatus: Sendable, Equatable {
    public var openCases: Int
    public var overdue: Int
    public var next: Instant?
    public var pending: Int

    public init(openCases: Int, overdue: Int, next: Instant?, pending: Int = 0) {
        self.openCases = openCases
        self.overdue = overdue
        self.next = next
        self.pending = pending
    }

    /// "412 open cases, 9 overdue, next reminder 2026-11-24 08:30".
    public func line(zone: ZoneRules) -> String {
        var s = "\(openCases) open case\(openCases == 1 ? "" : "s"), \(overdue) overdue"
        if pending > 0 { s += ", \(pending) to deliver" }
        if let next {
            let l = zone.localDateTime(at: next)
            s += ", next reminder \(String(l.description.map { $0 == "T" ? " " : $0 }.prefix(16)))"
        } else {
            s += ", nothing scheduled"
        }
        return s
    }
}
