import Foundation
import Testing
import TestSupport

/// The daemon's services against the real binary, store and journald: a long inbox import beside the
/// watchdog, deliveries and SIGTERM; an inbox folder replaced by a symbolic link; journal entries lost by an
/// unclean stop.
@Suite(.serialized) struct DaemonServicesTests {
    /// `cases` cases of the harness's test pack (placed now, nothing due during a test) and an events file of
    /// `visits` visits for each, grouped by case as exports come.
    func longHistory(_ h: DaemonHarness, prefix: String, cases: Int, visits: Int, badLastRow: Bool = false) throws -> URL {
        try h.seed((0..<cases).map { "\(prefix)-\($0)" }, dueIn: DaemonHarness.farOff)
        var text = "case_ref,event,at,event_id\n"
        text.reserveCapacity(cases * visits * 48)
        for c in 0..<cases {
            for v in 0..<visits {
                text += "\(prefix)-\(c),visit,2024-01-01T10:\(String(format: "%02d", v % 60)),\(prefix)-\(c)-v\(v)\n"
            }
        }
        if badLastRow { text += "\(prefix)-0,not-an-event,2024-01-02,\(prefix)-bad\n" }
        let url = h.dir.appendingPathComponent("long-\(UUID().uuidString.prefix(4)).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func aLongInboxImportNeitherSilencesTheWatchdogNorLosesANoticeAndSIGTERMInterruptsIt() throws {
        try DaemonHarness.requireJournald()
        let h = try DaemonHarness()
        let ref = "S1-\(UUID().uuidString.prefix(6))"
        // More cases than the daemon evaluates on its own queue when they change at once: it builds the schedule
        // again off the queue after the import.
        let file = try longHistory(h, prefix: ref, cases: 2500, visits: 120)
        // The watchdog asks for a ping every second.
        try #require(try h.start(watchdogSeconds: 2) != nil, "no READY=1; log:\n\(h.log)")
        try h.seed(["\(ref)-due"], dueIn: 3)
        let dropped = Date()
        try FileManager.default.moveItem(atPath: file.path, toPath: "\(h.inbox)/0-long.csv")
        // The notice falls due while the file is imported: it is delivered (late if the import held the store),
        // once.
        let overdue = try DaemonHarness.waitForJournal(["CASE_REF=\(ref)-due", "STAGE=overdue"], timeout: 240) { !$0.isEmpty }
        #expect(overdue.count == 1, "log:\n\(h.log)")
        let end = Date().addingTimeInterval(240)
        while FileManager.default.fileExists(atPath: "\(h.inbox)/0-long.csv") && Date() < end { usleep(200_000) }
        let finished = Date()
        let processed = try FileManager.default.contentsOfDirectory(atPath: "\(h.inbox)/processed")
        #expect(processed.contains { $0.hasSuffix("0-long.csv") }, "log:\n\(h.log)")
        // Every watchdog ping while the import ran came within twice the interval of the one before.
        let pings = try #require(h.notify).timedMessages.filter { $0.text.contains("WATCHDOG=1") && $0.at >= dropped && $0.at <= finished }.map(\.at)
        let gaps = zip(pings.dropFirst(), pings).map { $0.timeIntervalSince($1) }
        let longest = gaps.max() ?? 0
        let dueAt = dropped.addingTimeInterval(3)
        let delivered = (overdue.first?["__REALTIME_TIMESTAMP"] as? String).flatMap(Double.init).map { $0 / 1_000_000 } ?? 0
        print("long import: \(String(format: "%.1f", finished.timeIntervalSince(dropped))) s; watchdog pings \(pings.count), longest gap \(String(format: "%.2f", longest)) s; notice due during it delivered \(String(format: "%.1f", delivered - dueAt.timeIntervalSince1970)) s after its moment")
        #expect(pings.count >= Int(finished.timeIntervalSince(dropped)) - 2, "the watchdog went on being pinged")
        // (Pings are asked for every second here, every 30 seconds under the unit: a gap of a few seconds on a
        // busy test machine is no block of the daemon's queue.)
        #expect(longest < 3.0, "no gap of several watchdog intervals")
        #expect(try DaemonHarness.journal(["CASE_REF=\(ref)-due", "STAGE=escalation"]).count == 1)
        let rebuilt = try DaemonHarness.waitForJournal(["_PID=\(try #require(h.process?.processIdentifier))"], timeout: 30) {
            $0.contains { ($0["MESSAGE"] as? String)?.contains("at once: building the whole schedule again") == true }
        }
        #expect(rebuilt.contains { ($0["MESSAGE"] as? String)?.contains("2500 case(s) changed and 0 case(s) due at once") == true },
                "the import's cases were taken in off the queue: \(rebuilt.compactMap { $0["MESSAGE"] as? String })")

        // SIGTERM in the middle of another long import: the daemon stops promptly, the import is rolled back,
        // and its file waits in the inbox for the next start.
        let second = try longHistory(h, prefix: "\(ref)b", cases: 500, visits: 600)
        try FileManager.default.moveItem(atPath: second.path, toPath: "\(h.inbox)/1-long.csv")
        // Let the import get going (it is still reading the file when asked to stop, or writing it).
        usleep(3_000_000)
        let pid2 = try #require(h.process?.processIdentifier)
        let asked = Date()
        h.signal(SIGTERM)
        let status = h.waitForExit(timeout: 60)
        let took = Date().timeIntervalSince(asked)
        print("SIGTERM during a long import: stopped in \(String(format: "%.2f", took)) s")
        #expect(status == 0, "log:\n\(h.log)")
        #expect(took < 20, "stops well within systemd's stop timeout")
        #expect(FileManager.default.fileExists(atPath: "\(h.inbox)/1-long.csv"), "the interrupted file stays in the inbox")
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: "\(h.inbox)/rejected")).contains { $0.contains("1-long") })
        let said = try DaemonHarness.journal(["_PID=\(pid2)"]).compactMap { $0["MESSAGE"] as? String }
        #expect(said.contains { $0.contains("the import in hand is interrupted") }, "\(said)")
        // Started again, the daemon imports it.
        try #require(try h.start() != nil)
        let again = Date().addingTimeInterval(240)
        while FileManager.default.fileExists(atPath: "\(h.inbox)/1-long.csv") && Date() < again { usleep(250_000) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(h.inbox)/processed").contains { $0.hasSuffix("1-long.csv") }, "log:\n\(h.log)")
        h.stop()
    }

    /// Nothing polls: with nothing due, the daemon's threads sleep (libdispatch's thread pool, whose monitor
    /// wakes every second, never starts: every task runs on the daemon's serial executor).
    @Test func theIdleDaemonDoesNotWakeUp() throws {
        let h = try DaemonHarness()
        try h.seed(["I-\(UUID().uuidString.prefix(6))"], dueIn: DaemonHarness.farOff)
        // A watchdog that asks for a ping only every half hour.
        try #require(try h.start(watchdogSeconds: 3600) != nil, "no READY=1; log:\n\(h.log)")
        let pid = try #require(h.process?.processIdentifier)
        /// Context switches so far, by thread.
        func switches() -> [String: Int] {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            var out: [String: Int] = [:]
            for task in tasks {
                let status = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8)) ?? ""
                out[task] = status.split(separator: "\n").filter { $0.contains("ctxt_switches:") }
                    .compactMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }.reduce(0, +)
            }
            return out
        }
        sleep(6)  // the start-up's own work (the store's quick_check) done, its threads gone
        let before = switches()
        sleep(12)
        // A thread that ended meanwhile woke at least to end; one that began counts whole.
        let after = switches()
        let woke = after.reduce(0) { $0 + $1.value - (before[$1.key] ?? 0) } + before.keys.filter { after[$0] == nil }.count
        print("idle daemon: \(woke) context switches in 12 s")
        #expect(woke <= 3, "the idle daemon woke \(woke) times in 12 seconds")
        h.stop()
    }

    @Test func aFileWhoseLastRowIsBadIsRefusedWithoutWaitingForTheStore() throws {
        // The rows are all checked before the import asks for the write lock: with another process holding
        // it, the file is still refused for its own fault, at once, not left waiting for the store.
        let h = try DaemonHarness()
        let ref = "S2-\(UUID().uuidString.prefix(6))"
        let file = try longHistory(h, prefix: ref, cases: 50, visits: 100, badLastRow: true)
        let lock = try h.holdWriteLock(seconds: 60, afterWriting: true)
        defer { lock.terminate() }
        let r = try h.cli(["import", file.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(file.path):5002: event: unknown event 'not-an-event'"), "\(r.stderr)")
        #expect(!r.stderr.contains("could not be written"), "\(r.stderr)")
        #expect(lock.isRunning, "refused while the lock was still held")
        lock.terminate()
        lock.waitUntilExit()
        #expect(try h.sqlite("SELECT COUNT(*) FROM event WHERE case_ref LIKE '\(ref)%'") == ["50"], "nothing but the seed was written")
    }

    @Test func anInboxFolderReplacedByASymbolicLinkIsNeverWrittenThrough() throws {
        try DaemonHarness.requireJournald()
        let (h, ref) = try DaemonHarness.running("S3")
        let pid = try #require(h.process?.processIdentifier)
        // The inbox is made as its service starts, which may come a moment after READY=1 on a loaded machine.
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: h.inbox) && Date() < deadline { usleep(50_000) }
        try #require(FileManager.default.fileExists(atPath: h.inbox), "the daemon made no inbox; log:\n\(h.log)")
        // rejected/ replaced by a link to somewhere else.
        let elsewhere = h.dir.appendingPathComponent("elsewhere").path
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: "\(h.inbox)/rejected")
        try FileManager.default.createSymbolicLink(atPath: "\(h.inbox)/rejected", withDestinationPath: elsewhere)
        let staged = h.dir.appendingPathComponent("bad.csv")
        try "case_ref,event,at\n\(ref)-seed,no-such-event,2024-01-01\n".write(to: staged, atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(atPath: staged.path, toPath: "\(h.inbox)/bad.csv")
        let said = try DaemonHarness.waitForJournal(["MESSAGE_ID=23f45262c5204c64b9c06a8d9aa2293d", "_PID=\(pid)"], timeout: 20) {
            $0.contains { ($0["MESSAGE"] as? String)?.contains("symbolic link") == true }
        }
        #expect(said.contains { ($0["MESSAGE"] as? String)?.contains("\(h.inbox)/rejected is a symbolic link") == true }, "log:\n\(h.log)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty, "nothing went through the link")
        #expect(FileManager.default.fileExists(atPath: "\(h.inbox)/bad.csv"), "the file waits in the inbox")
        h.stop()
    }

    @Test func entriesTheJournalLostInAnUncleanStopAreDeliveredAgainOnce() throws {
        try DaemonHarness.requireJournald()
        let (h, ref) = try DaemonHarness.running("S4")
        try h.seed(["\(ref)-1"], dueIn: 2)
        let delivered = try DaemonHarness.waitForJournal(["CASE_REF=\(ref)-1", "STAGE=escalation"], timeout: 30) { !$0.isEmpty }
        try #require(!delivered.isEmpty, "log:\n\(h.log)")
        // The power goes: the store (whose commits are durable) says the notices went to the journal, and the
        // journal, which had not yet written them to disk, has lost them. Standing in for that: the store's
        // rows renamed to keys the journal has never seen.
        h.kill9()
        let lost = "lost\(UUID().uuidString.prefix(6))"
        try h.sqlite("UPDATE notification SET key = '\(lost)-' || key WHERE case_ref = '\(ref)-1' AND state = 'sent'")
        let keys = try h.sqlite("SELECT key FROM notification WHERE case_ref = '\(ref)-1' ORDER BY key")
        #expect(keys.count == 3)
        try #require(try h.start() != nil, "log:\n\(h.log)")
        for key in keys {
            let found = try DaemonHarness.waitForJournal(["NOTIFICATION_KEY=\(key)"], timeout: 20) { !$0.isEmpty }
            #expect(found.count == 1, "\(key) delivered again, once; log:\n\(h.log)")
        }
        let pid = try #require(h.process?.processIdentifier)
        let said = try DaemonHarness.journal(["MESSAGE_ID=bb997036ab1a401fa10215ad3ebd130b", "_PID=\(pid)"])
        #expect(said.contains { ($0["MESSAGE"] as? String)?.contains("3 notification(s) recorded as delivered are not in the journal") == true }, "\(said)")
        // After a clean stop nothing is looked up, and nothing sent twice.
        h.stop()
        let clean = "clean\(UUID().uuidString.prefix(6))"
        try h.sqlite("UPDATE notification SET key = '\(clean)-' || key WHERE case_ref = '\(ref)-1' AND state = 'sent'")
        try #require(try h.start() != nil)
        sleep(3)
        #expect(try DaemonHarness.journal(["CASE_REF=\(ref)-1"]).filter { ($0["NOTIFICATION_KEY"] as? String)?.hasPrefix(clean) == true }.isEmpty)
        for key in keys { #expect(try DaemonHarness.journal(["NOTIFICATION_KEY=\(key)"]).count == 1) }
        h.stop()
    }

    /// The power fails just after a burst was delivered: the store lives on a loop-mounted ext4 whose journal
    /// is aborted (`trigger_fs_error`, with `errors=remount-ro`), which drops every write not yet on disk, as
    /// a power cut does. Mounted again, the store holds every delivery mark its commits promised: the
    /// restart delivers nothing twice and loses nothing.
    @Test func aPowerFailureAfterABurstNeitherRepeatsNorLosesANotice() throws {
        try DaemonHarness.requireJournald()
        try #require(geteuid() == 0, "a loop-mounted file system needs root (scripts/test runs as root)")
        let h = try DaemonHarness()
        let state = (h.store as NSString).deletingLastPathComponent
        let image = h.dir.appendingPathComponent("state.ext4").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try #require(try DaemonHarness.command(["truncate", "-s", "64M", image]) == 0)
        try #require(try DaemonHarness.command(["mkfs.ext4", "-q", "-F", image]) == 0)
        try #require(try DaemonHarness.command(["mount", "-o", "loop,errors=remount-ro", image, state]) == 0, "loop mount failed")
        defer { _ = try? DaemonHarness.command(["umount", "-l", state]) }
        let ref = "S5-\(UUID().uuidString.prefix(6))"
        // Few enough that their marks fit in the write-ahead log without a checkpoint (which would sync them).
        let due = (0..<20).map { ("\(ref)-\($0)", 3 + Double($0) / 50) }
        try h.seed(due)
        try #require(try h.start() != nil, "no READY=1; log:\n\(h.log)")
        let expected = 3 * due.count
        func delivered() throws -> [String: Int] {
            var seen: [String: Int] = [:]
            for e in try DaemonHarness.journal(["RULE_ID=\(DaemonHarness.testRule)"]) {
                guard let c = e["CASE_REF"] as? String, c.hasPrefix(ref + "-"), let k = e["NOTIFICATION_KEY"] as? String else { continue }
                seen[k, default: 0] += 1
            }
            return seen
        }
        let end = Date().addingTimeInterval(60)
        var seenBefore = try delivered()
        while seenBefore.count < expected && Date() < end {
            usleep(300_000)
            seenBefore = try delivered()
        }
        try #require(seenBefore.count == expected, "the burst was delivered; log:\n\(h.log)")
        // The power fails, as soon as the journal has them all.
        // mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPEROPTIONS".
        let source = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).split(separator: "\n")
            .first { $0.split(separator: " ")[4] == state }
            .flatMap { $0.components(separatedBy: " - ").last?.split(separator: " ").dropFirst().first.map(String.init) }
        let device = try #require(source?.split(separator: "/").last.map(String.init), "the loop device of \(state)")
        try "power cut".write(toFile: "/sys/fs/ext4/\(device)/trigger_fs_error", atomically: false, encoding: .utf8)
        h.kill9()
        try #require(try DaemonHarness.command(["umount", state]) == 0)
        // As at the next boot: the file system is checked (its error flag cleared, its journal replayed), then
        // mounted read-write.
        #expect(try DaemonHarness.command(["e2fsck", "-fy", image]) <= 1, "e2fsck")
        try #require(try DaemonHarness.command(["mount", "-o", "loop,errors=remount-ro", image, state]) == 0)
        func mountOptions() throws -> String? {
            try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).split(separator: "\n")
                .first { $0.split(separator: " ")[4] == state }.map { String($0.split(separator: " ")[5]) }
        }
        if try mountOptions()?.hasPrefix("ro") == true { _ = try DaemonHarness.command(["mount", "-o", "remount,rw", state]) }
        let options = try mountOptions()
        try #require(options?.hasPrefix("rw") == true, "mounted again read-write: \(options ?? "not mounted")")
        try #require(try h.start() != nil, "no READY=1 after the power cut; log:\n\(h.log)")
        sleep(4)
        let seen = try delivered()
        let repeated = seen.values.filter { $0 > 1 }.count
        print("power cut after a burst of \(expected): delivered \(seen.count), lost \(expected - seen.count), repeated \(repeated)")
        #expect(seen.count == expected)
        #expect(repeated == 0, "\(repeated) notices delivered twice after the power cut")
        #expect(try h.sqlite("SELECT COUNT(*) FROM notification WHERE case_ref LIKE '\(ref)-%' AND state = 'sent'") == ["\(expected)"])
        h.stop()
    }
}
