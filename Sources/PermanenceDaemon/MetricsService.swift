import Foundation
import PermanenceMetrics
import ServiceLifecycle

/// The `/metrics` listener as a `Service`: bound before the group starts (so a bad address stops the start),
/// closed at graceful shutdown, the first to go.
struct MetricsService: Service {
    let listener: MetricsListener

    func run() async throws {
        try? await gracefulShutdown()
        await listener.close()
    }

    /// What a scrape answers: the gauges set from the store as it is now (read on the listener's thread, a
    /// reader beside the daemon's writes), then the whole registry rendered. A store that cannot be read
    /// leaves the gauges as they were and counts the failure.
    static func responder(context: DaemonContext, metrics: ServiceMetrics) -> @Sendable () -> [UInt8] {
        { [context, metrics] in
            let (store, now, next) = context.queue.sync { (context.runtime.store, context.now(), context.nextWakeup) }
            metrics.nextWakeup(next)
            do {
                metrics.update(try store.figures(now: now), now: now)
            } catch {
                metrics.storeReadFailed()
            }
            return metrics.render()
        }
    }
}
