import CSystemd
import Foundation
import PermanenceCore
import PermanenceStore

/// The audit chain's head in the journal: written after every change to the store (by the daemon and by
/// the CLI alike), read back by `audit verify`. The journal is beyond the reach of anyone who can edit the
/// store file and the head file beside it, so a cut tail or a rebuilt chain shows even when both were
/// edited together.
public enum AuditHeadJournal {
    /// Sends each committed head to the journal while journald listens (never to stderr: a head is for
    /// `audit verify`, not for a person).
    public static func install() {
        Store.publishAuditHeads { store, seq, hash in
            guard Journal.journaldListening else { return }
            let entry = JournalEntry(
                priority: .info, message: "audit log of \(canonical(store)) now ends at entry \(seq)",
                fields: [("MESSAGE_ID", MessageID.auditHead), ("AUDIT_STORE", canonical(store)), ("AUDIT_SEQ", String(seq)), ("AUDIT_HASH", hash)])
            _ = Journal.sendv(entry.allFields)
        }
    }

    /// The newest head the journal holds for the store at `store`; nil if it has none or cannot be read
    /// (no journal, or a user who may not read it).
    public static func latest(store: String) -> (seq: Int, hash: String)? {
        var journal: OpaquePointer?
        guard sd_journal_open(&journal, Int32(SD_JOURNAL_LOCAL_ONLY)) >= 0, let journal else { return nil }
        defer { sd_journal_close(journal) }
        for match in ["MESSAGE_ID=\(MessageID.auditHead)", "AUDIT_STORE=\(canonical(store))"] {
            let bytes = Array(match.utf8)
            guard bytes.withUnsafeBytes({ sd_journal_add_match(journal, $0.baseAddress, $0.count) }) >= 0 else { return nil }
        }
        guard sd_journal_seek_tail(journal) >= 0, sd_journal_previous(journal) > 0 else { return nil }
        guard let seq = field(journal, "AUDIT_SEQ").flatMap(Int.init), let hash = field(journal, "AUDIT_HASH") else { return nil }
        return (seq, hash)
    }

    private static func field(_ journal: OpaquePointer, _ name: String) -> String? {
        var data: UnsafeRawPointer?
        var length = 0
        guard sd_journal_get_data(journal, name, &data, &length) >= 0, let data else { return nil }
        let text = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        return text.hasPrefix("\(name)=") ? String(text.dropFirst(name.count + 1)) : nil
    }

    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }
}
