import ArgumentParser
import Foundation
import PermanenceCore
import PermanenceConfig
import PermanenceDaemon
import PermanenceMail
import SMTPClient
import SMTPCore

/// `permanenced send-test --to ADDRESS`: one message through the configured relay, with the whole SMTP
/// conversation printed (secrets masked), so an admin can see why a relay refuses.
struct SendTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Send one test email with the [email] settings and print the SMTP conversation (passwords masked).",
        discussion: "Works whether or not [email] enabled is set. Exit status 0 when the relay accepted the message, 1 otherwise.")

    @Option(help: "Configuration file (default: $PERMANENCED_CONFIG or /etc/permanenced/permanenced.toml).")
    var config: String?

    @Option(help: "Where to send the test message.")
    var to: String

    func run() throws {
        let path = ConfigLoader.path(config)
        guard SMTPEnvelope.isValidAddress(to) else {
            throw Failure.report("--to: '\(to)' is not an address local@domain (ASCII, no spaces)", status: 2)
        }
        let mailer: Mailer
        do {
            mailer = try Mailer(ruleSet: try ConfigLoader.load(path).0, configPath: path)
        } catch {
            throw Failure.report("\(error)", status: 2)
        }
        let now = Instant(seconds: Int(Date().timeIntervalSince1970))
        let item = MailItem(
            key: "TEST-0001/send-test/\(now.seconds)#1/reminder1/\(now.seconds)", caseRef: "TEST-0001", initials: "T.T.", ruleTitle: "Test message from permanenced",
            action: "Nothing: this checks that reminders reach you.", source: "permanenced send-test", stage: .reminder,
            severity: .routine, dueAt: now.adding(seconds: 86_400), isExact: false)
        let message = mailer.composer.compose(
            to: MailRecipient(workerID: "send-test", name: "permanenced admin", address: to), about: [item],
            now: now, id: "send-test.\(now.seconds).\(getpid())")
        let envelope = SMTPEnvelope(id: 1, from: mailer.config.bounceAddress, recipients: [to], message: message.render())
        let client = mailer.client
        let outcome = try DaemonExecutor.shared.wait { await client.send([envelope]) { say($0) }[1] }
        switch outcome {
        case .delivered(let d)?:
            say("accepted by \(mailer.settings.host): \(d.reply)")
        case .failed(let e)?:
            throw Failure.report("not sent: \(e) (\(e.isTemporary ? "temporary: trying later may work" : "permanent"))", status: 1)
        case nil:
            throw Failure.report("not sent: no outcome", status: 1)
        }
    }
}
