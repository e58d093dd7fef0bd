import Foundation
import Logging
import PermanenceCore
import PermanenceStore

extension Scheduler {
    /// A row left `delivering` by a crash may or may not have reached the journal: look for it there, so
    /// it is neither lost nor sent twice. If the journal cannot be read, it is sent again.
    func settleInterrupted() throws {
        for row in try store.outbox(limit: 100_000) where row.state == "delivering" {
            if journal.destination == "journal", JournalReader.contains(notificationKey: row.item.key) == true {
                try store.markSent(row.item.key, at: now(), to: Journal.Destination.journal.rawValue)
                logger.info("notification \(row.item.key) was delivered before a crash; not sending it again")
            }
        }
    }

    /// Delivers the outbox in due order: each row is marked `delivering`, written to the journal, then
    /// marked `sent`. A row already `delivering` (its last attempt wrote the entry, then could not record it)
    /// is looked up in the journal first, so it is not written twice. Its email items are timed at `t`, so
    /// everything delivered together goes in the same digest.
    func deliver(now t: Instant) throws {
        var late = 0
        var firstLate: Instant?
        while true {
            let rows = try store.outbox(limit: 500)
            if rows.isEmpty { break }
            var progressed = false
            for row in rows {
                let item = row.item
                if row.state == "delivering", JournalReader.contains(notificationKey: item.key) == true {
                    try addMailItems(for: item, now: t)
                    try store.markSent(item.key, at: now(), to: Journal.Destination.journal.rawValue)
                    progressed = true
                    continue
                }
                try store.markDelivering(item.key)
                let initials = ruleSet.configuration.journalShowsInitials ? try store.initials(of: item.caseRef) : nil
                let entry = JournalEntry.notification(
                    item, title: rulesByID[item.ruleID]?.title ?? item.ruleID, initials: initials, zone: ruleSet.zone)
                // Email items first: a crash before markSent repeats the journal entry, never the email.
                try addMailItems(for: item, now: t)
                if let destination = journal.send(entry) {
                    try store.markSent(item.key, at: now(), to: destination.rawValue)
                    progressed = true
                    if item.late {
                        late += 1
                        firstLate = min(firstLate ?? item.plannedAt, item.plannedAt)
                    }
                } else {
                    try store.markFailed(item.key, error: "neither the journal nor stderr accepted the entry")
                }
            }
            if !progressed {
                logger.critical("notifications cannot be delivered: neither the journal nor stderr accepts entries; retrying in 60 seconds")
                queue.asyncAfter(deadline: .now() + 60) { [weak self] in self?.wake(reason: "delivery retry") }
                break
            }
        }
        if late > 0, let firstLate {
            logger.notice(
                "delivered \(late) notification(s) late that fell due while permanenced was not running (the first was due \(ruleSet.zone.humanDateTime(firstLate)))",
                metadata: ["message-id": "\(MessageID.caughtUp)"])
        }
    }
}
