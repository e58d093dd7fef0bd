import Foundation
import PermanenceMetrics
import ServiceLifecycle
import Synchronization

/// The `/metrics` listener as a `Service`: bound before the group starts (so a bad address stops the start),
/// closed at graceful shutdown, the first to go.
struct MetricsService: Service {
    let listener: MetricsListener

    func run() async throws {
        try? await gracefulShutdown()
        await listener.close()
    }

    /// What a scrape answers: the gauges set from the store as it is now (read on the listener's thread, a
    /// reader beside the daemon's writes, at most once every `refresh` seconds however often it is scraped),
    /// then the whole registry rendered. It never waits for the daemon's queue: it only asks it to set the
    /// heartbeat, so a hung queue shows as a heartbeat that stops. A store that cannot be read leaves the
    /// gauges as they were and counts the failure.
    static func responder(context: DaemonContext, metrics: ServiceMetrics) -> @Sendable () -> [UInt8] {
        let lastRead = Mutex<Double?>(nil)
        return { [context, metrics] in
            context.queue.async { metrics.heartbeat(context.now()) }
            let now = context.now()
            let fresh = lastRead.withLock { last in
                let t = DaemonContext.monotonic()
                if let l = last, t - l < refresh { return true }
                last = t
                return false
            }
            if !fresh {
                do {
                    metrics.update(try context.currentStore.figures(now: now), now: now)
                } catch {
                    metrics.storeReadFailed()
                }
            }
            return metrics.render()
        }
    }

    /// Figures read from the store are reused for this long (seconds).
    static let refresh = 10.0
}
