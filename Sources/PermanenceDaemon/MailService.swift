import ServiceLifecycle

/// Email as a `Service`: takes the requests to look at the mail outbox (the journal outbox drained, a batch
/// recorded) one at a time; batches go to the SMTP client and their outcomes come back to the daemon's queue.
/// At graceful shutdown it lets the batch in flight finish (and records it) and starts no other.
struct MailService: Service {
    let mail: MailDelivery
    let gate: StartGate

    func run() async throws {
        guard await gate.wait() else { return }
        try? await cancelWhenGracefulShutdown {
            for await t in self.mail.requests {
                if Task.isCancelled { break }
                self.mail.process(now: t)
                self.mail.changed()
            }
        }
        await mail.finish()
    }
}
