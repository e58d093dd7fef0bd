/// `[metrics]`: where the daemon serves its Prometheus metrics (off unless `listen` is set).
///
/// ```toml
/// [metrics]
/// listen = "127.0.0.1:9464"                       # or "[::1]:9464", "localhost:9464"
/// # listen = "unix:/run/permanenced/metrics.sock"
/// # allow-remote = true                           # only to listen beyond loopback
/// ```
public struct MetricsConfiguration: Sendable, Equatable {
    /// Where to listen; nil: no listener.
    public var listen: MetricsEndpoint?
    /// The admin's explicit leave to listen on an address other than loopback (`allow-remote = true`).
    public var allowRemote = false

    public init(listen: MetricsEndpoint? = nil, allowRemote: Bool = false) {
        self.listen = listen
        self.allowRemote = allowRemote
    }

    static func decode(_ t: inout TableReader) -> MetricsConfiguration {
        var m = MetricsConfiguration()
        if let b = t.bool("allow-remote") { m.allowRemote = b }
        if let s = t.string("listen") {
            switch MetricsEndpoint.parse(s, allowRemote: m.allowRemote) {
            case .success(let e): m.listen = e
            case .failure(let problem): t.report("listen", t.lineOf("listen"), problem.message)
            }
        }
        return m
    }
}

/// An address to serve metrics on: a TCP host and port, or a Unix socket's path.
public enum MetricsEndpoint: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// Why a `listen` value cannot be used, for the admin.
    public struct Problem: Error, Equatable, Sendable {
        public let message: String
    }

    /// `host:port` (an IPv6 address in brackets), or `unix:/absolute/path`. Anything but loopback is refused
    /// unless `allowRemote`: the metrics say how many children's deadlines are overdue, which is not for
    /// anyone on the network.
    public static func parse(_ text: String, allowRemote: Bool) -> Result<MetricsEndpoint, Problem> {
        func fail(_ why: String) -> Result<MetricsEndpoint, Problem> { .failure(Problem(message: "'\(text)': \(why)")) }
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard path.hasPrefix("/") else { return fail("a Unix socket is named by an absolute path, e.g. unix:/run/permanenced/metrics.sock") }
            guard path.utf8.count < 108 else { return fail("a Unix socket's path is at most 107 bytes") }
            guard !path.hasSuffix("/"), !path.contains("\0") else { return fail("not a file path") }
            return .success(.unix(path: path))
        }
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return fail("an IPv6 address is written in brackets with a port, e.g. [::1]:9464")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                return fail("expected host:port (e.g. 127.0.0.1:9464), [IPv6]:port or unix:/path")
            }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (1...65535).contains(port) else { return fail("the port is a number from 1 to 65535") }
        guard !host.isEmpty else { return fail("name the address to listen on, e.g. 127.0.0.1:\(port) (an empty host would mean every address)") }
        guard host == "localhost" || isIPv4(host) || host.contains(":") else {
            return fail("the host is an IP address or localhost (a name would be looked up at every start)")
        }
        if !allowRemote && !isLoopback(host) {
            return fail("only loopback (127.0.0.1, [::1], localhost) or a Unix socket, unless allow-remote = true says otherwise: the metrics are not for the whole network")
        }
        return .success(.tcp(host: host, port: port))
    }

    /// 127.0.0.0/8, ::1 or localhost.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        return isIPv4(host) && host.hasPrefix("127.")
    }

    static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && p.allSatisfy(\.isNumber) && Int(p).map { $0 <= 255 } == true
        }
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return "unix:\(path)"
        }
    }
}
