import Synchronization

/// Opened once, when the schedule is built and the daemon has said READY=1: the services that follow (mail,
/// inbox, reload, watchdog) wait for it, so nothing imports, reloads or pings before the daemon is up. If the
/// daemon cannot start, the gate fails and they end.
final class StartGate: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Bool, Never>])
        case open(Bool)
    }

    private let state = Mutex(State.waiting([]))

    /// Suspends until the gate opens; true if the daemon started.
    func wait() async -> Bool {
        await withCheckedContinuation { c in
            let ready: Bool? = state.withLock { s in
                switch s {
                case .open(let ok): return ok
                case .waiting(var list):
                    list.append(c)
                    s = .waiting(list)
                    return nil
                }
            }
            if let ready { c.resume(returning: ready) }
        }
    }

    /// Opens the gate: `started` says whether the daemon is up.
    func open(started: Bool) {
        let waiting: [CheckedContinuation<Bool, Never>] = state.withLock { s in
            guard case .waiting(let list) = s else { return [] }
            s = .open(started)
            return list
        }
        for c in waiting { c.resume(returning: started) }
    }
}
