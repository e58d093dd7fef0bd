import PermanenceConfig
import PermanenceCore
import PermanenceStore
import SystemdSupport

/// Everything a configuration gives the running daemon: the rules, the store (and this daemon's lock on it),
/// the journal, the mailer and the inbox. One `Sendable` value, built off the daemon's queue and swapped
/// whole by a reload, so no part of the daemon ever sees half of one configuration and half of another.
struct DaemonRuntime: Sendable {
    let ruleSet: RuleSet
    let store: Store
    /// This daemon's hold on the store: one daemon per store.
    let lock: StoreLock
    let journal: Journal
    /// Email delivery, when `[email] enabled`.
    let mailer: Mailer?
    let evaluator: Evaluator
    let planner: NotificationPlanner
    let rulesByID: [String: Rule]
    let inboxPath: String
    /// Rule packs loaded, for the log.
    let packs: [String]

    /// How long the daemon's own writes wait for another process's write lock once it runs, in seconds: never
    /// long enough to hold up the watchdog (a failed write is retried with backoff, losing nothing). Until
    /// READY=1, as at opening, they wait the store's 30 seconds (the start-up's own writes have no retry).
    static let busyTimeout = 1.0

    /// Reads the configuration and opens (and locks) the store. `current` is the runtime in force (a reload):
    /// its store and lock are kept when the path and rules are the same. Throws a message naming the file.
    static func load(_ settings: Daemon.Settings, current: DaemonRuntime? = nil) throws -> DaemonRuntime {
        let (set, packs) = try ConfigLoader.load(settings.configPath)
        let path = settings.storePath ?? set.configuration.storePath
        let sameStore = current.map { $0.store.path == path } ?? false
        let lock = sameStore ? current!.lock : try StoreLock(storePath: path)
        let store = sameStore && set.fingerprint == current!.ruleSet.fingerprint
            ? current!.store
            : try Store(path: path, ruleSet: set, actor: AuditActor.service(), durable: true, auditHeads: AuditHeadJournal.sink)
        let mailer = set.configuration.email.enabled ? try Mailer(ruleSet: set, configPath: settings.configPath) : nil
        return DaemonRuntime(
            ruleSet: set, store: store, lock: lock, journal: Journal(target: set.configuration.journalTarget), mailer: mailer,
            evaluator: Evaluator(ruleSet: set), planner: NotificationPlanner(ruleSet: set),
            rulesByID: Dictionary(set.rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }),
            inboxPath: settings.inboxPath ?? set.configuration.inboxPath, packs: packs)
    }

    var zone: ZoneRules { ruleSet.zone }
}
