import CSystemd
import Foundation
import PermanenceCore
import PermanenceStore

/// The audit chain's head in the journal: written after every change to the store (by the daemon and by
/// the CLI alike), read back by `audit verify`. The journal is beyond the reach of anyone who can edit the
/// store file and the head file beside it, so a cut tail or a rebuilt chain shows even when both were
/// edited together.
public enum AuditHeadJournal {
    /// Sends a committed head to the journal while journald listens (never to stderr: a head is for
    /// `audit verify`, not for a person). Given to each `Store` the daemon and the commands open.
    public static let sink: AuditHeadSink = { store, seq, hash in
        guard Journal.journaldListening else { return }
        let entry = JournalEntry(
            priority: .info, message: "audit log of \(Store.canonicalPath(store)) now ends at entry \(seq)",
            fields: [("MESSAGE_ID", MessageID.auditHead), ("AUDIT_STORE", Store.canonicalPath(store)), ("AUDIT_SEQ", String(seq)), ("AUDIT_HASH", hash)])
        _ = Journal.sendv(entry.allFields)
    }

    /// Every head the journal holds for the store at `store`, oldest first, as written by root or by the
    /// store file's owner (journald stamps `_UID` itself: another user cannot pass an entry off as one of
    /// these). All of them, not the newest: an entry forged by the owner cannot hide a genuine one written
    /// earlier with a higher entry number. Empty if there are none; nil if the journal cannot be read.
    public static func heads(store: String) -> [(seq: Int, hash: String)]? {
        var journal: OpaquePointer?
        guard sd_journal_open(&journal, Int32(SD_JOURNAL_LOCAL_ONLY)) >= 0, let journal else { return nil }
        defer { sd_journal_close(journal) }
        var st = stat()
        let owner = stat(store, &st) == 0 ? st.st_uid : 0
        let writers = Set(["0", String(owner)])
        for match in ["MESSAGE_ID=\(MessageID.auditHead)", "AUDIT_STORE=\(Store.canonicalPath(store))"] {
            let bytes = Array(match.utf8)
            guard bytes.withUnsafeBytes({ sd_journal_add_match(journal, $0.baseAddress, $0.count) }) >= 0 else { return nil }
        }
        var out: [(seq: Int, hash: String)] = []
        while sd_journal_next(journal) > 0 {
            guard let uid = field(journal, "_UID"), writers.contains(uid),
                  let seq = field(journal, "AUDIT_SEQ").flatMap(Int.init), let hash = field(journal, "AUDIT_HASH") else { continue }
            out.append((seq, hash))
        }
        return out
    }

    private static func field(_ journal: OpaquePointer, _ name: String) -> String? {
        var data: UnsafeRawPointer?
        var length = 0
        guard sd_journal_get_data(journal, name, &data, &length) >= 0, let data else { return nil }
        let text = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        return text.hasPrefix("\(name)=") ? String(text.dropFirst(name.count + 1)) : nil
    }
}
