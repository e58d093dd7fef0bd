/// How to reach and talk to a relay: the parts of `[email]` the SMTP conversation needs.
public struct SMTPSettings: Sendable, Equatable {
    /// How the connection is protected.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain connection upgraded with STARTTLS; a server that does not offer it is refused (the default).
        case starttls
        /// TLS from the first byte (SMTPS, port 465).
        case tls
        /// No TLS. Only for a relay on loopback or a trusted network; AUTH is then allowed on loopback only.
        case none
    }

    /// SASL mechanism; `auto` takes XOAUTH2 when a token is configured, else PLAIN, else LOGIN.
    public enum AuthMechanism: String, Sendable, CaseIterable {
        case auto, plain, login, xoauth2
    }

    /// Credentials; the secret comes from a file (a systemd credential), never the command line.
    public struct Credentials: Sendable, Equatable {
        public var username: String
        /// A password, or an OAuth 2 access token for XOAUTH2.
        public var secret: String
        public var mechanism: AuthMechanism

        public init(username: String, secret: String, mechanism: AuthMechanism = .auto) {
            self.username = username
            self.secret = secret
            self.mechanism = mechanism
        }
    }

    /// The client timeouts of RFC 5321 §4.5.3.2, in seconds.
    public struct Timeouts: Sendable, Equatable {
        public var connect: Double = 30
        public var greeting: Double = 300
        /// EHLO, STARTTLS, AUTH, RSET, QUIT: not named by the RFC; MAIL's five minutes is used.
        public var command: Double = 300
        public var mail: Double = 300
        public var rcpt: Double = 300
        public var dataInitiation: Double = 120
        public var dataBlock: Double = 180
        public var dataTermination: Double = 600

        public init() {}

        /// Every timeout multiplied by `factor` (the admin's `command-timeout` against RFC 5321's five minutes).
        public func scaled(by factor: Double) -> Timeouts {
            var t = self
            for path in [\Timeouts.greeting, \.command, \.mail, \.rcpt, \.dataInitiation, \.dataBlock, \.dataTermination] {
                t[keyPath: path] *= factor
            }
            return t
        }

        /// Every timeout set to the same value (for tests).
        public init(all seconds: Double) {
            connect = seconds
            greeting = seconds
            command = seconds
            mail = seconds
            rcpt = seconds
            dataInitiation = seconds
            dataBlock = seconds
            dataTermination = seconds
        }
    }

    public var host: String
    public var port: Int
    public var tls: TLSMode
    /// The name we give in EHLO (our host's fully qualified name).
    public var heloName: String
    public var credentials: Credentials?
    public var timeouts: Timeouts

    public init(host: String, port: Int? = nil, tls: TLSMode = .starttls, heloName: String = "localhost",
                credentials: Credentials? = nil, timeouts: Timeouts = Timeouts()) {
        self.host = host
        self.port = port ?? (tls == .tls ? 465 : 587)
        self.tls = tls
        self.heloName = heloName
        self.credentials = credentials
        self.timeouts = timeouts
    }
}
