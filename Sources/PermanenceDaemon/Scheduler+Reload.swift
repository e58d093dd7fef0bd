import Foundation
import Logging
import PermanenceCore
import PermanenceStore

extension Scheduler {
    /// SIGHUP: reads the configuration and rule packs again. A configuration with any error is refused,
    /// with the errors logged, and the running one stays in force.
    func reload() {
        guard !stopped else { return }
        manager.reloading()
        do {
            let (set, packs) = try ConfigLoader.load(settings.configPath)
            let path = settings.storePath ?? set.configuration.storePath
            let newMailer = set.configuration.email.enabled ? try Mailer(ruleSet: set, configPath: settings.configPath) : nil
            let newStore = path == store.path && set.fingerprint == ruleSet.fingerprint ? store : try Store(path: path, ruleSet: set)
            ruleSet = set
            store = newStore
            mailer = newMailer
            journal = Journal(target: set.configuration.journalTarget)
            evaluator = Evaluator(ruleSet: set)
            planner = NotificationPlanner(ruleSet: set)
            indexRules()
            lastState = [:]
            let t = now()
            try rebuild(now: t)
            logger.info("configuration reloaded: \(set.rules.count) rules from \(packs.count) packs", metadata: [
                "message-id": "\(MessageID.reloaded)", "rules-fingerprint": "\(set.fingerprint.prefix(12))",
            ])
            manager.ready(status: try statusLine(now: t))
        } catch {
            logger.error("configuration reload refused; the previous configuration stays in force:\n\(error)", metadata: [
                "message-id": "\(MessageID.reloadRefused)", "config": "\(settings.configPath)",
            ])
            let line = (try? statusLine(now: now())) ?? "running"
            manager.ready(status: "\(line) (reload refused: see the journal)")
        }
    }
}
