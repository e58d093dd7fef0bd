import Logging
import PermanenceCore
import ServiceLifecycle

/// The schedule as a `Service`: builds it, says READY=1 and opens the gate for the others, then takes its
/// wake-ups (the timer, the store changed, an import ended, a retry) one at a time until graceful shutdown
/// (SIGTERM or SIGINT); then saves where it got to and says STOPPING=1. Shut down last but for the
/// watchdog, after delivery, mail and the inbox have finished their work in hand.
struct ScheduleService: Service {
    let schedule: Schedule
    let gate: StartGate

    func run() async throws {
        let context = schedule.context
        do {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                context.queue.async {
                    self.schedule.start { result in
                        if case .success = result { self.ready() }
                        c.resume(with: result)
                    }
                }
            }
        } catch {
            // Said here, where the journal hears it: under systemd, stderr is the journal too, and nothing
            // else would say why the unit failed.
            context.logger.critical("cannot start: \(error)")
            context.manager.notify("STATUS=Cannot start: \(String(describing: error).prefix(200))")
            gate.open(started: false)
            throw error
        }
        try? await context.perform { try context.runtime.store.setBusyTimeout(DaemonRuntime.busyTimeout) }
        gate.open(started: true)
        try? await context.perform { self.schedule.checkStore() }
        // Wake-ups one at a time, until graceful shutdown (or cancellation: stop all the same).
        try? await cancelWhenGracefulShutdown {
            for await reason in self.schedule.wakes {
                if Task.isCancelled { break }
                self.schedule.wake(reason)
            }
        }
        try? await context.perform {
            self.schedule.stop()
            context.manager.stopping()
            context.logger.info("permanenced stopping", metadata: ["message-id": "\(MessageID.stopping)"])
        }
    }

    /// On the queue, once the schedule is built.
    private func ready() {
        let context = schedule.context
        let status = (try? schedule.statusLine(now: context.now())) ?? "running"
        context.logger.info("permanenced started: \(status)", metadata: [
            "message-id": "\(MessageID.started)", "store": "\(context.runtime.store.path)", "journal": "\(context.runtime.journal.destination)",
        ])
        context.manager.ready(status: status)
    }
}
