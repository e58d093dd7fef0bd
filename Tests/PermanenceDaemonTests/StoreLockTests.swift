import Foundation
import Glibc
import Testing

@testable import PermanenceDaemon

/// The one-daemon-per-store lock, on real files.
@Suite struct StoreLockTests {
    func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aSecondLockOnTheSameStoreIsRefusedNamingTheHolder() throws {
        let store = try directory() + "/p.sqlite"
        let first = try StoreLock(storePath: store)
        #expect(throws: StoreLock.Failure.self) { _ = try StoreLock(storePath: store) }
        do {
            _ = try StoreLock(storePath: store)
        } catch let e as StoreLock.Failure {
            #expect(e.description.contains("(pid \(getpid()))"))
        }
        _ = first
    }

    /// Whatever path names the store (a symbolic link, a hard link), one daemon: the store file itself is locked.
    @Test func aSecondLockThroughAnotherPathToTheStoreIsRefused() throws {
        let dir = try directory()
        let store = dir + "/p.sqlite"
        #expect(FileManager.default.createFile(atPath: store, contents: Data()))
        #expect(symlink(store, dir + "/link.sqlite") == 0)
        #expect(link(store, dir + "/hard.sqlite") == 0)
        var first: StoreLock? = try StoreLock(storePath: store)
        for other in ["/link.sqlite", "/hard.sqlite"] {
            do {
                _ = try StoreLock(storePath: dir + other)
                Issue.record("a second lock through \(other) was taken")
            } catch let e as StoreLock.Failure {
                #expect(e.description.contains("already running on this store"), "\(e)")
            }
        }
        // Released with the first: the other path can take it.
        first = nil
        _ = first
        _ = try StoreLock(storePath: dir + "/link.sqlite")
    }

    /// `sudo permanenced run` by hand must not leave a lock file the service's own user cannot open.
    @Test(.enabled(if: geteuid() == 0, "needs root to create files for another user"))
    func runAsRootTheLockFileTakesTheStoresOwner() throws {
        let dir = try directory()
        let store = dir + "/p.sqlite"
        #expect(FileManager.default.createFile(atPath: store, contents: Data()))
        #expect(chown(store, 4321, 4322) == 0)
        _ = try StoreLock(storePath: store)
        let attributes = try FileManager.default.attributesOfItem(atPath: store + ".daemon.lock")
        #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == 4321)
        #expect((attributes[.groupOwnerAccountID] as? NSNumber)?.intValue == 4322)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    /// A lock "file" that is a symbolic link planted by the store's owner is never followed: root's run does
    /// not open, or hand over, the file it points at.
    @Test(.enabled(if: geteuid() == 0, "needs root to create files for another user"))
    func aSymbolicLinkInPlaceOfTheLockIsNotFollowed() throws {
        let dir = try directory()
        let store = dir + "/p.sqlite"
        #expect(FileManager.default.createFile(atPath: store, contents: Data()))
        #expect(chown(store, 4321, 4322) == 0)
        let target = dir + "/precious"
        #expect(FileManager.default.createFile(atPath: target, contents: Data("root's".utf8)))
        #expect(symlink(target, store + ".daemon.lock") == 0)
        #expect(throws: StoreLock.Failure.self) { _ = try StoreLock(storePath: store) }
        let attributes = try FileManager.default.attributesOfItem(atPath: target)
        #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == 0)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "root's")
    }
}
