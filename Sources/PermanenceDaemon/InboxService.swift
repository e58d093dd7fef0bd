import ServiceLifecycle

/// The inbox as a `Service`: starts watching once the daemon is up (after the start-up backlog is queued, so
/// an import meets a settled schedule); at graceful shutdown interrupts an import in hand.
struct InboxService: Service {
    let inbox: InboxIntake
    let gate: StartGate

    func run() async throws {
        guard await gate.wait() else { return }
        let context = inbox.context
        try await context.perform { try self.inbox.watch() }
        do {
            try await gracefulShutdown()
        } catch {}
        await inbox.stop()
    }
}
