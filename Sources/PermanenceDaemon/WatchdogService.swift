import Dispatch
import ServiceLifecycle

/// Pings systemd's watchdog at half `WATCHDOG_USEC`, from the daemon's own queue: if the queue hangs, the
/// pings stop and systemd restarts the daemon. Starts once the daemon is up, and is the last to stop.
struct WatchdogService: Service {
    let context: DaemonContext
    let gate: StartGate

    func run() async throws {
        guard await gate.wait(), let interval = context.manager.watchdogPingInterval() else { return }
        let manager = context.manager
        let timer = DispatchSource.makeTimerSource(queue: context.queue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(Int(interval * 50)))
        timer.setEventHandler { manager.watchdog() }
        timer.resume()
        do {
            try await gracefulShutdown()
        } catch {}
        timer.cancel()
    }
}
