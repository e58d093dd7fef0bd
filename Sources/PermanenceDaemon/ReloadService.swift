import Dispatch
import Foundation
import Logging
import PermanenceCore
import ServiceLifecycle
import UnixSignals

/// SIGHUP as a `Service`: reads the configuration and rule packs again (RELOADING=1 … READY=1, as
/// `Type=notify-reload` expects). The new runtime is built off the daemon's queue (opening another store, or
/// recomputing every case under new rules, can take a while) and swapped in whole on it. A configuration
/// with any error is refused, with the errors logged, and the running one stays in force. A changed store or
/// inbox path is followed: the new one is locked, opened and watched before the old one is let go.
struct ReloadService: Service {
    let context: DaemonContext
    let schedule: Schedule
    let inbox: InboxIntake
    let gate: StartGate

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        guard await gate.wait() else { return }
        // A task group, not `cancelOnGracefulShutdown()`: that merges sequences in an unstructured task, which
        // runs on the global executor and starts libdispatch's thread pool (and its wake-up every second).
        try? await cancelWhenGracefulShutdown {
            for await _ in signals {
                await self.reload()
            }
        }
        // This service is the first told to shut down (should the signal itself not have been seen).
        try? await context.perform { context.shuttingDown = true }
    }

    private func reload() async {
        let context = self.context
        let current: DaemonRuntime? = try? await context.perform {
            context.manager.reloading()
            return context.runtime
        }
        guard let current else { return }
        let loaded = await withCheckedContinuation { (c: CheckedContinuation<Result<DaemonRuntime, any Error>, Never>) in
            DispatchQueue(label: "permanenced.reload").async {
                c.resume(returning: Result { try DaemonRuntime.load(context.settings, current: current) })
            }
        }
        try? await context.perform {
            switch loaded {
            case .success(let runtime):
                if runtime.store !== current.store { try? runtime.store.setBusyTimeout(DaemonRuntime.busyTimeout) }
                context.runtime = runtime
                self.schedule.reloaded(previous: current)
                self.schedule.mail.reloaded(previous: current)
                do {
                    try self.inbox.watch()
                } catch {
                    context.logger.error("inbox \(runtime.inboxPath): \(error)", metadata: ["message-id": "\(MessageID.inboxRetry)"])
                }
                for w in runtime.ruleSet.warnings { context.logger.warning("configuration: \(w)") }
                context.metrics?.rulesChanged(runtime.ruleSet)
                if runtime.ruleSet.configuration.metrics != current.ruleSet.configuration.metrics {
                    context.logger.warning("configuration: [metrics] changed; the listener changes at the next restart (systemctl restart permanenced)")
                }
                context.logger.info("configuration reloaded: \(runtime.ruleSet.rules.count) rules from \(runtime.packs.count) packs", metadata: [
                    "message-id": "\(MessageID.reloaded)", "rules-fingerprint": "\(runtime.ruleSet.fingerprint.prefix(12))",
                ])
                context.manager.ready(status: (try? self.schedule.statusLine(now: context.now())) ?? "running")
            case .failure(let error):
                context.logger.error("configuration reload refused; the previous configuration stays in force:\n\(error)", metadata: [
                    "message-id": "\(MessageID.reloadRefused)", "config": "\(context.settings.configPath)",
                ])
                let line = (try? self.schedule.statusLine(now: context.now())) ?? "running"
                context.manager.ready(status: "\(line) (reload refused: see the journal)")
            }
        }
    }
}
