import Foundation
import Glibc

/// Directories the daemon and its commands make beside the store (the inbox, its `processed/` and
/// `rejected/`).
enum OwnedDirectory {
    /// Creates `path` (0700, with any missing parents) if it is not there. Run as root (an admin's command by
    /// hand), the directory it creates takes the owner of `reference`, as SQLite does for its -wal and -shm
    /// files: otherwise the service, running as its own user, could not use it afterwards.
    static func create(_ path: String, ownerOf reference: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard geteuid() == 0 else { return }
        var owner = stat()
        guard stat(reference, &owner) == 0, owner.st_uid != 0 || owner.st_gid != 0 else { return }
        // Through a descriptor of the directory itself, never a symbolic link put in its place meanwhile.
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var made = stat()
        guard fstat(fd, &made) == 0, made.st_uid == 0 else { return }
        _ = fchown(fd, owner.st_uid, owner.st_gid)
    }
}
