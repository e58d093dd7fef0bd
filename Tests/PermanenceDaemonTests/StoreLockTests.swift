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
}
