import Foundation
import Logging
import PermanenceCore
import PermanenceStore

extension Scheduler {
    /// A row left `delivering` by a crash may or may not have reached the journal: look for it there, so
    /// it is neither lost nor sent twice. If the journal cannot be read, it is sent again.
    func settleInterrupted() throws {
        guard journal.destination == Journal.Destination.journal.rawValue else { return }
        let found = try store.outbox(limit: 100_000).filter { $0.state == "delivering" }.map(\.item.key)
            .filter { JournalReader.contains(notificationKey: $0) == true }
        try store.markSent(found, at: now(), to: Journal.Destination.journal.rawValue)
        if !found.isEmpty { logger.info("\(found.count) notification(s) were delivered before a crash; not sending them again") }
    }

    /// Delivers the outbox in due order, a batch at a time: the batch is marked `delivering` (with its email
    /// items) in one transaction, written to the journal, then marked `sent` in another. A row already
    /// `delivering` (a crash, or a write that failed after the entry went out) is looked up in the journal
    /// first, so it is not written twice. With stderr, which cannot be read back, the batch is one row, so a
    /// crash repeats at most the line in hand. Email items are timed at `t`, so everything delivered
    /// together goes in the same digest.
    func deliver(now t: Instant) throws {
        var late = 0
        var firstLate: Instant?
        let batch = journal.destination == Journal.Destination.journal.rawValue ? 200 : 1
        while true {
            let rows = try store.outbox(limit: 1000)
            if rows.isEmpty { break }
            var progressed = false
            for start in stride(from: 0, to: rows.count, by: batch) {
                let chunk = rows[start..<min(start + batch, rows.count)]
                let written = chunk.filter { $0.state == "delivering" && JournalReader.contains(notificationKey: $0.item.key) == true }
                try store.markSent(written.map(\.item.key), at: now(), to: Journal.Destination.journal.rawValue)
                progressed = progressed || !written.isEmpty
                let writtenKeys = Set(written.map(\.item.key))
                let items = chunk.map(\.item).filter { !writtenKeys.contains($0.key) }
                guard !items.isEmpty else { continue }
                try store.markDelivering(items.map(\.key), mailItems: items.flatMap { mailItems(for: $0, now: t) })
                var sent: [Journal.Destination: [String]] = [:]
                for item in items {
                    let initials = ruleSet.configuration.journalShowsInitials ? try store.initials(of: item.caseRef) : nil
                    let entry = JournalEntry.notification(
                        item, title: rulesByID[item.ruleID]?.title ?? item.ruleID, initials: initials, zone: ruleSet.zone)
                    if let destination = journal.send(entry) {
                        sent[destination, default: []].append(item.key)
                        if item.late {
                            late += 1
                            firstLate = min(firstLate ?? item.plannedAt, item.plannedAt)
                        }
                    } else {
                        try store.markFailed(item.key, error: "neither the journal nor stderr accepted the entry")
                    }
                }
                for (destination, keys) in sent {
                    try store.markSent(keys, at: now(), to: destination.rawValue)
                    progressed = true
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
                "delivered \(late) notification(s) late: due or overdue before permanenced could announce them (the first was planned for \(ruleSet.zone.humanDateTime(firstLate)))",
                metadata: ["message-id": "\(MessageID.caughtUp)"])
        }
    }
}
