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
