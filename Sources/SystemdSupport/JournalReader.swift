import CSystemd

/// Reads the journal back, to settle whether a notification interrupted by a crash was already written.
public enum JournalReader {
    /// True if the journal holds a permanenced entry with `NOTIFICATION_KEY=key`; nil if the journal cannot
    /// be read (no journal, no permission), in which case the caller sends again (at most once more).
    public static func contains(notificationKey key: String) -> Bool? {
        var journal: OpaquePointer?
        guard sd_journal_open(&journal, Int32(SD_JOURNAL_LOCAL_ONLY)) >= 0, let journal else { return nil }
        defer { sd_journal_close(journal) }
        for match in ["SYSLOG_IDENTIFIER=permanenced", "NOTIFICATION_KEY=\(key)"] {
            let bytes = Array(match.utf8)
            let r = bytes.withUnsafeBytes { sd_journal_add_match(journal, $0.baseAddress, $0.count) }
            if r < 0 { return nil }
        }
        let next = sd_journal_next(journal)
        return next < 0 ? nil : next > 0
    }
}

extension JournalReader {
    /// Every `NOTIFICATION_KEY` permanenced wrote to the journal at or after `since` (seconds since the
    /// epoch), in one pass; nil if the journal cannot be read.
    public static func notificationKeys(since: Int) -> Set<String>? {
        var journal: OpaquePointer?
        guard sd_journal_open(&journal, Int32(SD_JOURNAL_LOCAL_ONLY)) >= 0, let journal else { return nil }
        defer { sd_journal_close(journal) }
        let match = Array("SYSLOG_IDENTIFIER=permanenced".utf8)
        guard match.withUnsafeBytes({ sd_journal_add_match(journal, $0.baseAddress, $0.count) }) >= 0 else { return nil }
        guard sd_journal_seek_realtime_usec(journal, UInt64(max(0, since)) * 1_000_000) >= 0 else { return nil }
        var keys = Set<String>()
        let field = "NOTIFICATION_KEY"
        while true {
            let r = sd_journal_next(journal)
            if r < 0 { return nil }
            if r == 0 { break }
            var data: UnsafeRawPointer?
            var length = 0
            guard sd_journal_get_data(journal, field, &data, &length) >= 0, let data else { continue }
            let text = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            keys.insert(String(text.dropFirst(field.count + 1)))
        }
        return keys
    }
}
