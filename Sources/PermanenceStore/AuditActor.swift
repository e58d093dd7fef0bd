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

    private static func login() -> String {
        getpwuid(getuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "uid\(getuid())"
    }
}
