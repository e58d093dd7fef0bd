import ServiceLifecycle

/// Email as a `Service`: batches are started by the schedule's steps and their outcomes recorded on the
/// daemon's queue; at graceful shutdown this lets the batch in flight finish (and records it) and starts no
/// other.
struct MailService: Service {
    let mail: MailDelivery
    let gate: StartGate

    func run() async throws {
        guard await gate.wait() else { return }
        do {
            try await gracefulShutdown()
        } catch {}
        await mail.finish()
    }
}
