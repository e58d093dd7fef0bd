import Foundation

/// Who the audit log names for a change: the person at the keyboard, or the service.
public enum AuditActor {
    /// The login of the user running the command, and the person behind `sudo` (`cli:j.smith via root`),
    /// not just "root".
    public static func person() -> String {
        let login = Self.login()
        if getuid() == 0, let user = ProcessInfo.processInfo.environment["SUDO_USER"], !user.isEmpty, user != "root",
           user.utf8.allSatisfy({ $0 > 32 && $0 < 127 }), user.count <= 64 {
            return "cli:\(user) via \(login)"
        }
        return "cli:\(login)"
    }

    /// The daemon, as the user it runs as (`daemon:permanenced`).
    public static func service() -> String { "daemon:\(login())" }

    /// With `getpwuid_r`: stores are opened from several threads at once (tests, the daemon's reload).
    private static func login() -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(getuid(), &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else {
            return "uid\(getuid())"
        }
        return String(cString: name)
    }
}
