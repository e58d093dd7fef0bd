import CSystemd
import Glibc

/// Talks to the service manager through `sd_notify` (a no-op when `NOTIFY_SOCKET` is not set): readiness,
/// reloading, stopping, status and watchdog pings.
public struct ServiceManager: Sendable {
    public init() {}

    /// Sends a state string such as `READY=1\nSTATUS=...`. Returns false if it could not be sent.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        sd_notify(0, state) >= 0
    }

    public func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }

    public func status(_ status: String) { notify("STATUS=\(status)") }

    /// `RELOADING=1` with the `MONOTONIC_USEC=` that `Type=notify-reload` requires.
    public func reloading() { notify("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())\nSTATUS=Reloading configuration") }

    public func stopping() { notify("STOPPING=1\nSTATUS=Stopping") }

    public func watchdog() { notify("WATCHDOG=1") }

    /// Half the watchdog interval systemd asked for (`WATCHDOG_USEC`, for this process), in seconds;
    /// nil when the watchdog is off.
    public func watchdogPingInterval() -> Double? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return Double(usec) / 2_000_000
    }

    static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}
