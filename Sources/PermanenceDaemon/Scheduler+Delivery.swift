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
    /// first, so it is not written twice. An entry that went to stderr, which cannot be read back, is marked
    /// sent at once (and with stderr the batch is one row), so a crash repeats at most the line in hand.
    /// Email items are timed at `t`, so everything delivered together goes in the same digest.
    ///
    /// One turn of the queue delivers at most `perTurn` rows; a larger backlog (a first start on an imported
    /// history) continues in later turns, so watchdog pings, SIGTERM and reloads are never held up for long.
    func deliver(now t: Instant) throws {
        var budget = Self.perTurn
        var progressedAtAll = false
        while budget > 0 {
            let rows = try store.outbox(limit: min(1000, budget))
            if rows.isEmpty { break }
            budget -= rows.count
            var progressed = false
            let batch = journal.destination == Journal.Destination.journal.rawValue ? 200 : 1
            for start in stride(from: 0, to: rows.count, by: batch) {
                let chunk = rows[start..<min(start + batch, rows.count)]
                let written = chunk.filter { $0.state == "delivering" && JournalReader.contains(notificationKey: $0.item.key) == true }
                try store.markSent(written.map(\.item.key), at: now(), to: Journal.Destination.journal.rawValue)
                progressed = progressed || !written.isEmpty
                let writtenKeys = Set(written.map(\.item.key))
                let items = chunk.map(\.item).filter { !writtenKeys.contains($0.key) }
                guard !items.isEmpty else { continue }
                try store.markDelivering(items.map(\.key), mailItems: items.flatMap { mailItems(for: $0, now: t) })
                var toJournal: [String] = []
                for item in items {
                    let initials = ruleSet.configuration.journalShowsInitials ? try store.initials(of: item.caseRef) : nil
                    let entry = JournalEntry.notification(
                        item, title: rulesByID[item.ruleID]?.title ?? item.ruleID, initials: initials, zone: ruleSet.zone)
                    switch journal.send(entry) {
                    case .journal?:
                        toJournal.append(item.key)
                    case .stderr?:
                        try store.markSent([item.key], at: now(), to: Journal.Destination.stderr.rawValue)
                        progressed = true
                    case nil:
                        try store.markFailed(item.key, error: "neither the journal nor stderr accepted the entry")
                    }
                    if item.late {
                        lateDelivered += 1
                        firstLate = min(firstLate ?? item.plannedAt, item.plannedAt)
                    }
                }
                try store.markSent(toJournal, at: now(), to: Journal.Destination.journal.rawValue)
                progressed = progressed || !toJournal.isEmpty
            }
            progressedAtAll = progressedAtAll || progressed
            if !progressed {
                logger.critical("notifications cannot be delivered: neither the journal nor stderr accepts entries; retrying in 60 seconds")
                queue.asyncAfter(deadline: .now() + 60) { [weak self] in self?.wake(reason: "delivery retry") }
                return
            }
        }
        deliveryContinues = budget <= 0 && progressedAtAll
        if deliveryContinues {
            // More than one turn's worth: go on in the next turn of the queue, after anything waiting (one
            // continuation at a time, whoever else delivers meanwhile).
            if !continuationPosted {
                continuationPosted = true
                queue.async { [weak self] in
                    guard let self else { return }
                    self.continuationPosted = false
                    guard !self.stopped else { return }
                    self.deliverOrRetry()
                }
            }
            return
        }
        if lateDelivered > 0, let first = firstLate {
            logger.notice(
                "delivered \(lateDelivered) notification(s) late: due or overdue before permanenced could announce them (the first was planned for \(ruleSet.zone.humanDateTime(first)))",
                metadata: ["message-id": "\(MessageID.caughtUp)"])
            lateDelivered = 0
            firstLate = nil
        }
    }

    /// Delivers (more of) the outbox now; a store error is retried with backoff.
    func deliverOrRetry() {
        do { try deliverAndRearm(now: now()) } catch { retryLater(after: error) }
    }

    /// Rows one turn of the queue delivers at most.
    static let perTurn = 2000
}
