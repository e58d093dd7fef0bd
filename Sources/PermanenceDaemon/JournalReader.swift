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
