import Foundation
import Testing
import TestSupport

/// `check-store` and `status` on stores that are damaged or cannot be written: real files, a real tmpfs.
@Suite(.serialized) struct StoreHealthCLITests {
    func seededHarness() throws -> DaemonHarness {
        let h = try DaemonHarness()
        try h.seed((0..<40).map { "H-\($0)" }, dueIn: DaemonHarness.farOff)
        return h
    }

    @Test func checkStoreSaysASoundStoreIsSoundAndADamagedOneIsDamaged() throws {
        let h = try seededHarness()
        let sound = try h.cli(["check-store"])
        #expect(sound.status == 0, "\(sound.stderr)")
        #expect(sound.stdout.contains("sound"), "\(sound.stdout)")
        // A page in the middle of the file overwritten (a disk fault, a copy taken while it was written).
        let pageSize = Int(try h.sqlite("PRAGMA page_size").first ?? "4096")!
        let pages = Int(try h.sqlite("PRAGMA page_count").first ?? "0")!
        try #require(pages > 8)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: h.store))
        try handle.seek(toOffset: UInt64(pageSize * (pages / 2)))
        handle.write(Data(repeating: 0xA5, count: pageSize))
        try handle.close()
        let damaged = try h.cli(["check-store"])
        #expect(damaged.status == 1, "\(damaged.stdout)\(damaged.stderr)")
        #expect((damaged.stdout + damaged.stderr).contains("DAMAGED") || damaged.stderr.contains("restore it from a backup"), "\(damaged.stdout)\(damaged.stderr)")
        #expect((damaged.stdout + damaged.stderr).lowercased().contains("backup"))
    }

    @Test func statusSaysWhenTheStoresFileSystemIsFull() throws {
        try #require(geteuid() == 0, "mounting a small file system for the store needs root (scripts/test runs as root)")
        let h = try DaemonHarness()
        let state = (h.store as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try #require(try DaemonHarness.command(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", state]) == 0, "mount failed")
        defer { _ = try? DaemonHarness.command(["umount", "-l", state]) }
        try h.seed(["H-full"], dueIn: DaemonHarness.farOff)
        let before = try h.cli(["status", "--json"])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("\"writable\":true") || before.stdout.contains("\"writable\": true"), "\(before.stdout)")
        // Fill what is left.
        let filler = FileHandle(forWritingAtPath: "\(state)/filler") ?? {
            FileManager.default.createFile(atPath: "\(state)/filler", contents: nil)
            return FileHandle(forWritingAtPath: "\(state)/filler")!
        }()
        let block = Data(repeating: 0, count: 16 * 1024)
        while (try? filler.write(contentsOf: block)) != nil {}
        try? filler.close()
        // Whether SQLite can still open the store (its shared-memory file there already) or not, status says
        // why nothing can be written.
        let full = try h.cli(["status"])
        let said = full.stdout + full.stderr
        #expect(said.contains("CANNOT BE WRITTEN: its file system is full") || said.contains("the store cannot be written: its file system is full"), "\(said)")
        let json = try h.cli(["status", "--json"])
        #expect((json.stdout + json.stderr).contains("its file system is full"), "\(json.stdout)\(json.stderr)")
        try FileManager.default.removeItem(atPath: "\(state)/filler")
        #expect(!(try h.cli(["status"])).stdout.contains("CANNOT BE WRITTEN"))
    }
}
