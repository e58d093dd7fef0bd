import Foundation
import PermanenceCore
import SMTPCore
import TestSupport
import Testing

@testable import PermanenceDaemon

/// The mailer's setup from `[email]`: the secret from its file, read again before each batch.
@Suite struct MailerTests {
    func ruleSet(passwordFile: String) throws -> RuleSet {
        try shippedRuleSet { name, text in
            name == "permanenced.toml"
                ? text.replacingOccurrences(of: "enabled = false", with: "enabled = true\nusername = \"pd\"\npassword-file = \"\(passwordFile)\"")
                : text
        }
    }

    @Test func aRotatedSecretIsUsedWithoutAReload() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try writeSecret("first-token\n", to: file)
        let config = repositoryRoot.appendingPathComponent("config/permanenced.toml").path
        let mailer = try Mailer(ruleSet: try ruleSet(passwordFile: file), configPath: config)
        #expect(mailer.settings.credentials?.secret == "first-token")
        #expect(mailer.settings.tls == .starttls && mailer.settings.port == 587)
        try writeSecret("second-token\n", to: file)
        #expect(mailer.currentClient(configPath: config).settings.credentials?.secret == "second-token")
        // Unreadable now: keep the secret it had.
        try FileManager.default.removeItem(atPath: file)
        #expect(mailer.currentClient(configPath: config).settings.credentials?.secret == "first-token")
    }

    @Test func aSecretOthersCanReadIsRefused() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try writeSecret("token\n", to: file)
        chmod(file, 0o644)
        let config = repositoryRoot.appendingPathComponent("config/permanenced.toml").path
        #expect {
            _ = try Mailer(ruleSet: try ruleSet(passwordFile: file), configPath: config)
        } throws: { "\($0)".contains("[email] password-file: \(file) can be read by others (mode 644); make it 0600") }
    }

    @Test func aMissingSecretFileIsRefusedNamingTheSetting() throws {
        let config = repositoryRoot.appendingPathComponent("config/permanenced.toml").path
        #expect {
            _ = try Mailer(ruleSet: try ruleSet(passwordFile: "/nonexistent/pw"), configPath: config)
        } throws: { "\($0)".contains("[email] password-file: cannot read /nonexistent/pw") }
    }
}
