import Foundation
import Logging
import PermanenceCore
import PermanenceStore

extension Scheduler {
    /// SIGHUP: reads the configuration and rule packs again. A configuration with any error is refused,
    /// with the errors logged, and the running one stays in force. A changed store or inbox path is
    /// followed: the new one is locked, opened and watched before the old one is let go.
    func reload() {
        guard !stopped else { return }
        manager.reloading()
        do {
            let (set, packs) = try ConfigLoader.load(settings.configPath)
            let path = settings.storePath ?? set.configuration.storePath
            let newMailer = set.configuration.email.enabled ? try Mailer(ruleSet: set, configPath: settings.configPath) : nil
            let newLock = path == store.path ? lock : try StoreLock(storePath: path)
            let newStore = path == store.path && set.fingerprint == ruleSet.fingerprint ? store : try Store(path: path, ruleSet: set, actor: AuditActor.service())
            let movedStore = path != store.path
            let newCursor = movedStore ? try newStore.daemonCursor() : nil
            let newInbox = settings.inboxPath ?? set.configuration.inboxPath
            let newWatcher = newInbox == watched.inbox && path == watched.store
                ? nil : try makeWatcher(storePath: path, inboxPath: newInbox)
            ruleSet = set
            lock = newLock
            store = newStore
            mailer = newMailer
            journal = Journal(target: set.configuration.journalTarget)
            evaluator = Evaluator(ruleSet: set)
            planner = NotificationPlanner(ruleSet: set)
            indexRules()
            lastState = [:]
            let t = now()
            if movedStore {
                // Another store: start from where its own daemon left off, as at start.
                cursor = newCursor ?? t
                revision = 0
                checkClock(now: t)
                try? settleInterrupted()
                _ = try? store.requeueInterruptedMail()
            }
            if let newWatcher {
                watcher?.cancel()
                watcher = newWatcher
                watched = (path, newInbox)
                inboxTracker = InboxTracker()
                logger.info("now watching the inbox \(newInbox) and the store \(path)")
            }
            forgetRelayProblemIfNoMail()
            do {
                try rebuild(now: t)
            } catch {
                // The new configuration is in force; the schedule is built again shortly.
                retryLater(after: error)
            }
            if newWatcher != nil { processInbox() }
            for w in set.warnings { logger.warning("configuration: \(w)") }
            logger.info("configuration reloaded: \(set.rules.count) rules from \(packs.count) packs", metadata: [
                "message-id": "\(MessageID.reloaded)", "rules-fingerprint": "\(set.fingerprint.prefix(12))",
            ])
            manager.ready(status: (try? statusLine(now: t)) ?? "running")
        } catch {
            logger.error("configuration reload refused; the previous configuration stays in force:\n\(error)", metadata: [
                "message-id": "\(MessageID.reloadRefused)", "config": "\(settings.configPath)",
            ])
            let line = (try? statusLine(now: now())) ?? "running"
            manager.ready(status: "\(line) (reload refused: see the journal)")
        }
    }
}
