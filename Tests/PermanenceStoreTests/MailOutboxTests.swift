import Foundation
import PermanenceCore
import TestSupport
import Testing

@testable import PermanenceStore

/// The mail outbox on a real SQLite file: each item once per worker, items claimed by the mail composed from
/// them, retries, give-ups and what a crash leaves behind.
@Suite struct MailOutboxTests {
    let base: StoreTests

    init() throws {
        base = try StoreTests()
    }

    @Test func eachWorkerGetsEachItemOnce() throws {
        let s = try base.store()
        let at = instant("2026-11-24T08:30")
        let rows = [Store.MailItemRow(worker: "sw", key: "k1", sendAt: at, immediate: false),
                    Store.MailItemRow(worker: "tm", key: "k1", sendAt: at, immediate: false)]
        #expect(try s.addMailItems(rows) == 2)
        // The same notification again (a crash before the journal marked it sent): nothing new.
        #expect(try s.addMailItems(rows) == 0)
        #expect(try s.dueMailItems(at: instant("2026-11-24T08:29")).isEmpty)
        #expect(try s.dueMailItems(at: at).map(\.worker) == ["sw", "tm"])
        #expect(try s.nextMailMoment() == at)
        try s.queueMail(worker: "sw", address: "sw@example.org", kind: "digest", subject: "s", message: Array("m".utf8), items: ["k1"], now: at)
        #expect(try s.dueMailItems(at: at).map(\.worker) == ["tm"])
        #expect(try s.waitingMailItems().count == 1)
    }

    @Test func retriesGiveUpsAndCrashes() throws {
        let s = try base.store()
        let t = instant("2026-11-24T08:30")
        let a = try s.queueMail(worker: "sw", address: "sw@example.org", kind: "immediate", subject: "a", message: [65], items: [], now: t)
        let b = try s.queueMail(worker: "tm", address: "tm@example.org", kind: "immediate", subject: "b", message: [66], items: [], now: t)
        #expect(try s.sendableMail(at: t).map(\.id) == [a, b])
        try s.markMailSending([a, b])
        #expect(try s.sendableMail(at: t).isEmpty)
        // A crash with both in flight: both go back to pending, to be sent again.
        #expect(try s.requeueInterruptedMail() == 2)
        try s.markMailSending([a, b])
        try s.markMailRetry(a, error: "451 later", retryAt: t.adding(seconds: 60))
        try s.markMailFailed(b, error: "550 no such user")
        #expect(try s.sendableMail(at: t.adding(seconds: 59)).isEmpty)
        #expect(try s.sendableMail(at: t.adding(seconds: 60)).map(\.id) == [a])
        #expect(try s.nextMailMoment() == t.adding(seconds: 60))
        let summary = try s.mailSummary()
        #expect(summary.pending == 1 && summary.retrying == 1 && summary.failed == 1 && summary.sent == 0)
        try s.markMailSending([a])
        try s.markMailSent(a, at: t.adding(seconds: 61))
        let all = try s.allMail()
        #expect(all.map(\.state) == ["sent", "failed"])
        #expect(all[0].attempts == 3)
        #expect(all[1].lastError == "550 no such user")
    }
}

/// A calendar event sent for a deadline is cancelled once the deadline is met, once.
@Suite struct CalendarCancellationTests {
    @Test func aMetDeadlineEmailedToAWorkerIsCancelledOnce() throws {
        let base = try StoreTests()
        let s = try base.seeded()
        let now = base.now
        // The visit within 72 hours of a placement five days ago, open (overdue) for sw1.
        try s.record(CaseEvent(id: "p", caseRef: "C1", kind: "placed-for-adoption", at: now.adding(seconds: -5 * 86_400)), source: "t", actor: "t", now: now)
        let item = try #require(try s.agenda(.caseRef("C1"), within: 0, overdueOnly: true, now: now).first { $0.ruleID == "post-placement-visit" })
        let key = "\(item.deadlineKey)/overdue0/\(item.dueAt.seconds)"
        #expect(try s.addMailItems([Store.MailItemRow(worker: "sw1", key: key, sendAt: now, immediate: true)]) == 1)
        try s.queueMail(worker: "sw1", address: "sw1@example.org", kind: "immediate", subject: "s", message: [65], items: [key], now: now)
        #expect(try s.calendarCancellations(worker: "sw1", now: now).isEmpty, "still open: nothing to cancel")
        // The visit is recorded: the worker's calendar should drop the event.
        try s.record(CaseEvent(id: "v2", caseRef: "C1", kind: "visit", at: now.adding(seconds: -60)), source: "t", actor: "t", now: now)
        let later = now.adding(seconds: 60)
        let due = try s.calendarCancellations(worker: "sw1", now: later)
        #expect(due == [Store.Cancellation(deadlineKey: item.deadlineKey, dueAt: item.dueAt, isExact: item.isExact)])
        #expect(try s.calendarCancellations(worker: "sw2", now: later).isEmpty, "only to whom it was sent")
        try s.queueMail(worker: "sw1", address: "sw1@example.org", kind: "digest", subject: "d", message: [66], items: [],
                        cancelled: due.map(\.deadlineKey), now: later)
        #expect(try s.calendarCancellations(worker: "sw1", now: later).isEmpty, "cancelled once")
        // The visit was recorded on the wrong case: open again, emailed again, then met again: cancelled again.
        try s.withdraw(eventID: "v2", reason: "wrong case", actor: "t", now: later)
        let again = "\(item.deadlineKey)/escalation1/\(item.dueAt.seconds)"
        #expect(try s.addMailItems([Store.MailItemRow(worker: "sw1", key: again, sendAt: later, immediate: true)]) == 1)
        try s.queueMail(worker: "sw1", address: "sw1@example.org", kind: "immediate", subject: "s", message: [67], items: [again], now: later)
        #expect(try s.calendarCancellations(worker: "sw1", now: later).isEmpty)
        try s.record(CaseEvent(id: "v3", caseRef: "C1", kind: "visit", at: later), source: "t", actor: "t", now: later)
        #expect(try s.calendarCancellations(worker: "sw1", now: later.adding(seconds: 60)).map(\.deadlineKey) == [item.deadlineKey])
    }
}
