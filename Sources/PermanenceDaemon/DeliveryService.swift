import ServiceLifecycle

/// Journal delivery as a `Service`: takes the requests for a turn of delivery (the schedule queued
/// notifications, a large outbox continues, a retry) one at a time, once the daemon is up. Shut down before
/// the schedule: what it has not delivered stays in the outbox for the next start.
struct DeliveryService: Service {
    let delivery: JournalDelivery
    let gate: StartGate

    func run() async throws {
        guard await gate.wait() else { return }
        try? await cancelWhenGracefulShutdown {
            for await _ in self.delivery.requests {
                // A buffered request is handed over without a suspension, so a large outbox's continuations
                // would run on past SIGTERM: stop at the turn in hand.
                if Task.isCancelled { break }
                self.delivery.turn()
            }
        }
    }
}
