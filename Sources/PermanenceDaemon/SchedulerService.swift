import Logging
import ServiceLifecycle

/// The scheduler as a `Service` of the daemon's `ServiceGroup`: starts it, waits for graceful shutdown
/// (SIGTERM or SIGINT), then lets it finish the work in hand and stop.
public struct SchedulerService: Service {
    let scheduler: Scheduler

    public init(scheduler: Scheduler) {
        self.scheduler = scheduler
    }

    public func run() async throws {
        do {
            try scheduler.start()
        } catch {
            // Said here, where the journal hears it: under systemd, stderr is the journal too, and nothing
            // else would say why the unit failed.
            scheduler.logger.critical("cannot start: \(error)")
            ServiceManager().notify("STATUS=Cannot start: \(String(describing: error).prefix(200))")
            throw error
        }
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled rather than shut down gracefully: stop all the same.
        }
        // Let an SMTP session in flight finish and record its outcome.
        await scheduler.finishSending()
        scheduler.stop()
    }
}
