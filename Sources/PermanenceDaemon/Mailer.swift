import Foundation
import PermanenceConfig
import PermanenceCore
import PermanenceMail
import SMTPClient
import SMTPCore

/// Everything the daemon and `send-test` need to send mail, built from `[email]`: the relay settings with the
/// secret read from its file, the client, the composer and the timing rules.
public struct Mailer: Sendable {
    public let config: EmailConfiguration
    public let settings: SMTPSettings
    public let client: SMTPClient
    public let composer: MailComposer
    public let timing: MailTiming
    public let host: String

    public struct SetupError: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Reads the secret file named by `password-file` (relative names are looked up in
    /// `$CREDENTIALS_DIRECTORY`, where systemd puts `LoadCredential=` files).
    public init(ruleSet: RuleSet, configPath: String) throws {
        let c = ruleSet.configuration.email
        config = c
        host = c.helo ?? Self.hostName()
        let credentials = try Self.credentials(c, configPath: configPath)
        let tls = SMTPSettings.TLSMode(rawValue: c.tls) ?? .starttls
        let timeouts = SMTPSettings.Timeouts().scaled(by: Double(c.commandTimeout) / 300)
        settings = SMTPSettings(host: c.host, port: c.port ?? (tls == .tls ? 465 : tls == .none ? 25 : 587), tls: tls,
                                heloName: host, credentials: credentials, timeouts: timeouts)
        client = SMTPClient(settings: settings, caFile: c.caFile)
        composer = MailComposer(config: c, zone: ruleSet.zone, templates: try ConfigLoader.templates(ruleSet: ruleSet, configPath: configPath),
                                calendars: ruleSet.calendars, defaultCalendar: ruleSet.configuration.defaultCalendar)
        let calendar = ruleSet.calendars[ruleSet.configuration.defaultCalendar] ?? ruleSet.calendars.values.first!
        timing = MailTiming(config: c, zone: ruleSet.zone, calendar: calendar)
    }

    /// The username with the secret read now from `password-file`.
    static func credentials(_ c: EmailConfiguration, configPath: String) throws -> SMTPSettings.Credentials? {
        guard let user = c.username else { return nil }
        guard let file = c.passwordFile else {
            throw SetupError(description: "\(configPath): [email] password-file: a username needs a password-file")
        }
        let path = Credentials.path(file, configurationFile: configPath, environment: ProcessInfo.processInfo.environment)
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
            throw SetupError(description: "\(configPath): [email] password-file: \(path) can be read by others (mode \(String(st.st_mode & 0o777, radix: 8))); make it 0600 (chmod 600) and owned by the permanenced user")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SetupError(description: "\(configPath): [email] password-file: cannot read \(path) (does it exist, and may the permanenced user read it?)")
        }
        let secret = text.trimmingCharacters(in: .newlines)
        guard !secret.isEmpty else { throw SetupError(description: "\(path): the file is empty ([email] password-file)") }
        return .init(username: user, secret: secret, mechanism: SMTPSettings.AuthMechanism(rawValue: c.auth) ?? .auto)
    }

    /// A client with the secret file read again, so a rotated password or a refreshed OAuth 2 token is used
    /// without a reload; the one from start or reload if the file cannot be read now.
    public func currentClient(configPath: String) -> SMTPClient {
        guard config.username != nil, let fresh = try? Self.credentials(config, configPath: configPath), fresh != settings.credentials else {
            return client
        }
        var s = settings
        s.credentials = fresh
        return SMTPClient(settings: s, caFile: config.caFile)
    }

    static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count)
        let name = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
