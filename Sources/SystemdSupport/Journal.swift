import CSystemd
import Foundation
import PermanenceCore

/// Sends entries to the systemd journal with `sd_journal_sendv`, or, where no journald listens (or the
/// admin chose `target = "stderr"`), writes `<N>MESSAGE` lines to stderr, which journald also reads
/// when stderr is a journal stream.
public struct Journal: Sendable {
    public let target: Configuration.JournalTarget

    public init(target: Configuration.JournalTarget) {
        self.target = target
    }

    /// Where an entry went.
    public enum Destination: String, Sendable {
        case journal, stderr
    }

    /// Where entries are going now: the journal only while journald is listening.
    public var destination: String {
        switch target {
        case .stderr: return Destination.stderr.rawValue
        case .journal, .auto: return (Self.journaldListening ? Destination.journal : .stderr).rawValue
        }
    }

    static let socketPath = "/run/systemd/journal/socket"

    /// journald accepts datagrams on its native socket (a socket file left by a journald that died does not).
    public static var journaldListening: Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in Array(socketPath.utf8).enumerated() { raw[i] = b }
        }
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    /// Sends one entry and says where it went: the journal, or stderr when journald is not listening (or the
    /// admin chose stderr). Nil only if it could be written nowhere.
    ///
    /// `sd_journal_sendv` returns 0, as if delivered, when the socket file does not exist (libsystemd drops
    /// the datagram on ENOENT), so success counts only while the socket is there; a stale socket fails
    /// (ECONNREFUSED) and falls back too.
    @discardableResult
    public func send(_ entry: JournalEntry) -> Destination? {
        if target != .stderr {
            let result = Self.sendv(entry.allFields)
            if result >= 0 && access(Self.socketPath, F_OK) == 0 { return .journal }
            if target == .journal {
                let why = result < 0 ? String(cString: strerror(-result)) : "no journald is listening"
                Self.writeStderr("<\(JournalPriority.error.rawValue)>permanenced: journal unavailable (\(why)); writing to stderr")
            }
        }
        let line = "<\(entry.priority.rawValue)>\(entry.allFields[0].dropFirst("MESSAGE=".count))"
        return Self.writeStderr(line) ? .stderr : nil
    }

    /// `sd_journal_sendv` over `NAME=value` strings; returns its result (negative errno on failure).
    static func sendv(_ fields: [String]) -> Int32 {
        let buffers = fields.map { Array($0.utf8) }
        var storage: [UnsafeMutablePointer<UInt8>] = []
        defer { storage.forEach { $0.deallocate() } }
        var vectors: [iovec] = []
        for b in buffers {
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: max(b.count, 1))
            p.initialize(from: b, count: b.count)
            storage.append(p)
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(p), iov_len: b.count))
        }
        return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
    }

    @discardableResult
    static func writeStderr(_ line: String) -> Bool {
        var bytes = Array((line + "\n").utf8)
        return bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) } >= 0
    }
}
