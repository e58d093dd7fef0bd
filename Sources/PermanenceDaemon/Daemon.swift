import Foundation
import Logging
import PermanenceConfig
import PermanenceCore
import PermanenceMetrics
import ServiceLifecycle
import Synchronization
import SystemdSupport

/// `permanenced run`: the long-running service, one `ServiceGroup` of services that all run on the
/// `DaemonExecutor`'s one serial queue: the schedule, journal delivery, mail, the inbox, reload on SIGHUP
/// and the watchdog.
public enum Daemon {
    /// Open cases a schedule build reads and hands to one evaluating thread at a time (`ScheduleBuilder`);
    /// the engine bench takes its cases the same way.
    public static let evaluationBatch = 2000

    /// Where to find things; `storePath` and `inboxPath` override the configuration's.
    public struct Settings: Sendable {
        public var configPath: String
        public var storePath: String?
        public var inboxPath: String?
        /// The release, for the metrics' `permanenced_build_info`.
        public var version: String

        public init(configPath: String, storePath: String? = nil, inboxPath: String? = nil, version: String = "") {
            self.configPath = configPath
            self.storePath = storePath
            self.inboxPath = inboxPath
            self.version = version
        }
    }

    /// Loads the configuration, opens the store and runs the service group until SIGTERM or SIGINT.
    /// Throws (after logging why) if the daemon cannot start.
    public static func run(settings: Settings, now: @escaping @Sendable () -> Instant = Daemon.systemNow) async throws {
        // The log goes where the configuration says; before it is read, the journal when journald listens.
        let target = (try? ConfigLoader.load(settings.configPath).0.configuration.journalTarget) ?? .auto
        let journal = Journal(target: target)
        // Once a process (swift-log allows no second bootstrap): a test runs the daemon several times in one.
        if loggingBootstrapped.withLock({ done in defer { done = true }; return !done }) {
            LoggingSystem.bootstrap { _ in JournalLogHandler(journal: journal) }
        }
        var logger = Logger(label: "permanenced")
        logger.logLevel = .info
        let runtime: DaemonRuntime
        do {
            runtime = try DaemonRuntime.load(settings)
        } catch {
            logger.critical("cannot start: \(error)")
            ServiceManager().notify("STATUS=Cannot start: \(String(describing: error).prefix(200))")
            throw error
        }
        for w in runtime.ruleSet.warnings { logger.warning("configuration: \(w)") }
        let metrics = runtime.ruleSet.configuration.metrics.listen.map { _ in ServiceMetrics(version: settings.version, ruleSet: runtime.ruleSet) }
        let context = DaemonContext(queue: DaemonExecutor.shared.queue, settings: settings, runtime: runtime, logger: logger, metrics: metrics, now: now)
        // The metrics listener is bound before anything starts: an address that cannot be had stops the start.
        var listener: MetricsListener?
        if let endpoint = runtime.ruleSet.configuration.metrics.listen, let metrics {
            do {
                listener = try await MetricsListener.bind(endpoint, respond: MetricsService.responder(context: context, metrics: metrics))
                logger.info("metrics at http://\(endpoint)/metrics")
            } catch {
                logger.critical("cannot start: \(error)")
                ServiceManager().notify("STATUS=Cannot start: \(String(describing: error).prefix(200))")
                throw error
            }
        }
        let gate = StartGate()
        let mail = MailDelivery(context: context)
        let delivery = JournalDelivery(context: context, mail: mail)
        let schedule = Schedule(context: context, delivery: delivery, mail: mail)
        let inbox = InboxIntake(context: context)
        // The parts talk through their request streams, each taken by its own service.
        mail.changed = { [unowned schedule] in schedule.mailChanged() }
        delivery.drained = { [unowned schedule] t in schedule.deliveryDrained(t) }
        inbox.imported = { [unowned schedule] in schedule.request(.inbox) }
        // Shut down in reverse order: reload and the inbox first, then mail, delivery, the schedule, the watchdog
        // last.
        // The schedule's end (it failed to start, or stopped) ends the group; the others may end on their own
        // (no watchdog asked for) without taking the daemon with them.
        let services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: WatchdogService(context: context, gate: gate), successTerminationBehavior: .ignore),
            .init(service: ScheduleService(schedule: schedule, gate: gate)),
            .init(service: DeliveryService(delivery: delivery, gate: gate), successTerminationBehavior: .ignore),
            .init(service: MailService(mail: mail, gate: gate), successTerminationBehavior: .ignore),
            .init(service: InboxService(inbox: inbox, gate: gate), successTerminationBehavior: .ignore),
            .init(service: ReloadService(context: context, schedule: schedule, inbox: inbox, gate: gate), successTerminationBehavior: .ignore),
        ] + (listener.map { [.init(service: MetricsService(listener: $0), successTerminationBehavior: .ignore)] } ?? [])
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        // SIGTERM reaches the services through many steps of the group's machinery, each a turn of the queue:
        // the daemon's own work stops taking turns as soon as the signal is seen, so those steps are quick.
        let watchers = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: context.queue)
            source.setEventHandler { context.shuttingDown = true }
            source.resume()
            return source
        }
        defer { watchers.forEach { $0.cancel() } }
        try await group.run()
    }

    private static let loggingBootstrapped = Mutex(false)

    /// The system clock.
    @Sendable public static func systemNow() -> Instant { Instant(seconds: Int(Date().timeIntervalSince1970)) }
}
