/// Where a secret named in the configuration (`password-file`, `audit-key`) is read from: one rule for
/// the daemon under systemd and for an admin's command line alike.
public enum Credentials {
    /// The credential ID the shipped unit gives a file of the credentials directory: its
    /// `LoadCredential=permanenced:/etc/permanenced/credentials` loads each file there as
    /// `permanenced_FILE`.
    public static let prefix = "permanenced_"

    /// An absolute name is the file itself. A relative one is a systemd credential: in
    /// `$CREDENTIALS_DIRECTORY` when the service manager passed one; otherwise (a command run by an
    /// admin) the file `LoadCredential=` reads it from, `credentials/FILE` beside the configuration file,
    /// with the unit's `permanenced_` prefix taken off.
    public static func path(_ name: String, configurationFile: String, environment: [String: String]) -> String {
        if name.hasPrefix("/") { return name }
        if let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty { return "\(dir)/\(name)" }
        let slash = configurationFile.lastIndex(of: "/")
        let configDir = slash.map { String(configurationFile[..<$0]) } ?? "."
        let file = name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
        return "\(configDir)/credentials/\(file)"
    }
}
