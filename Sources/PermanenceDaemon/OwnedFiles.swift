import Foundation
import Glibc

/// Files and directories the daemon and its commands make beside the store (the daemon lock, the inbox, its
/// `processed/` and `rejected/`). Run as root (an admin's command by hand), what they make takes the store's
/// owner, as SQLite does for its -wal and -shm files: otherwise the service, running as its own user, could
/// not use it afterwards.
enum OwnedFiles {
    /// Creates `path` (0700, with any missing parents) if it is not there, owned like `reference`.
    static func create(_ path: String, ownerOf reference: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard geteuid() == 0 else { return }
        // Through a descriptor of the directory itself, never a symbolic link put in its place meanwhile.
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        adopt(fd, ownerOf: [reference])
    }

    /// Run as root, gives what `fd` is open on to the owner of the first of `references` that exists, if root
    /// owns it (this run made it) and it is a directory or a plain file with one name: never another file
    /// linked in.
    static func adopt(_ fd: Int32, ownerOf references: [String]) {
        var made = stat()
        guard geteuid() == 0, fstat(fd, &made) == 0, made.st_uid == 0 else { return }
        let kind = made.st_mode & S_IFMT
        guard kind == S_IFDIR || (kind == S_IFREG && made.st_nlink == 1) else { return }
        var owner = stat()
        guard references.contains(where: { stat($0, &owner) == 0 }), owner.st_uid != 0 || owner.st_gid != 0 else { return }
        _ = fchown(fd, owner.st_uid, owner.st_gid)
    }
}
