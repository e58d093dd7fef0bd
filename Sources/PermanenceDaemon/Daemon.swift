import Logging
import PermanenceCore
import ServiceLifecycle

/// `permanenced run`: the long-running service.
public enum Daemon {
    /// Loads the configuration, opens the store and runs the service group until SIGTERM or SIGINT.
    /// Throws (after logging why) if the daemon cannot start.
    public static func run(settings: Scheduler.Settings) async throws {
        // The log goes where the configuration says; before it is read, the journal when journald listens.
        let target = (try? ConfigLoader.load(settings.configPath).0.configuration.journalTarget) ?? .auto
        let journal = Journal(target: target)
        LoggingSystem.bootstrap { _ in JournalLogHandler(journal: journal) }
        var logger = Logger(label: "permanenced")
        logger.logLevel = .info
        let scheduler: Scheduler
        do {
            scheduler = try Scheduler(settings: settings, logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            ServiceManager().notify("STATUS=Cannot start: \(String(describing: error).prefix(200))")
            throw error
        }
        let group = ServiceGroup(
            services: [SchedulerService(scheduler: scheduler)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        try await group.run()
    }
}
