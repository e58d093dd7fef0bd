import Logging
import PermanenceCore

/// swift-log to the journal: the daemon's own log follows the same rules as its notifications (the
/// journal, or `<N>` lines on stderr), with metadata as upper-case journal fields.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let journal: Journal

    public init(journal: Journal) {
        self.journal = journal
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [(String, String)] = []
        var all = metadata
        if let extra = metadataProvider?.get() { all.merge(extra) { $1 } }
        if let m = event.metadata { all.merge(m) { $1 } }
        for (k, v) in all.sorted(by: { $0.key < $1.key }) { fields.append((Self.fieldName(k), "\(v)")) }
        if let error = event.error { fields.append(("ERROR", "\(error)")) }
        journal.send(JournalEntry(priority: Self.priority(event.level), message: event.message.description, fields: fields))
    }

    /// `message-id` → `MESSAGE_ID`: journal field names are upper-case letters, digits and underscores.
    static func fieldName(_ key: String) -> String {
        let mapped = key.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
        let name = String(mapped).drop { $0 == "_" || $0.isNumber }
        return name.isEmpty ? "FIELD" : String(name)
    }

    static func priority(_ level: Logger.Level) -> JournalPriority {
        switch level {
        case .trace, .debug: return .debug
        case .info: return .info
        case .notice: return .notice
        case .warning: return .warning
        case .error: return .error
        case .critical: return .critical
        }
    }
}
