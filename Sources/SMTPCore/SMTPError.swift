/// Why a session or a message failed. `isTemporary` says whether trying again later may work: a 4xx
/// reply, a timeout or a dropped connection is temporary; a 5xx reply or a refused policy is not.
public struct SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Code: Sendable, Equatable {
        case reply(SMTPReply, command: String)
        case malformedReply(String)
        case noStartTLS
        case authWithoutTLS
        case noAuthMechanism(offered: [String])
        case messageTooLarge(size: Int, limit: Int)
        case invalidAddress(String)
        case timeout(String)
        case connection(String)
        case tls(String)
    }

    let code: Code

    init(_ code: Code) { self.code = code }

    /// The server's reply, when the error is one.
    public var reply: SMTPReply? {
        if case .reply(let r, _) = code { return r }
        return nil
    }

    public var isTemporary: Bool {
        switch code {
        case .reply(let r, _): return !r.isPermanent
        case .timeout, .connection, .malformedReply, .tls: return true
        case .noStartTLS, .authWithoutTLS, .noAuthMechanism, .messageTooLarge, .invalidAddress: return false
        }
    }

    public var description: String {
        switch code {
        case .reply(let r, let command): return "the server answered \(command) with \(r)"
        case .malformedReply(let why): return why
        case .noStartTLS:
            return "the server does not offer STARTTLS; refusing to send in clear (set [email] tls = \"tls\" for port 465, or \"none\" for a loopback relay)"
        case .authWithoutTLS: return "refusing to send credentials over a connection without TLS to a host that is not on loopback"
        case .noAuthMechanism(let offered):
            return "the server offers no authentication mechanism we can use (it offers: \(offered.isEmpty ? "none" : offered.joined(separator: " ")))"
        case .messageTooLarge(let size, let limit): return "the message is \(size) bytes; the server takes at most \(limit)"
        case .invalidAddress(let a): return "'\(a)' is not an address we can send to (ASCII local@domain, no spaces or angle brackets)"
        case .timeout(let what): return "no answer from the server \(what)"
        case .connection(let why): return why
        case .tls(let why): return "TLS failed: \(why)"
        }
    }

    /// A problem with the relay or with permanenced's settings for it, not with any one message: the relay
    /// refused the login (an expired OAuth 2 token, a changed password), TLS could not be set up or its
    /// certificate verified, or no usable way to log in or secure the connection was offered. Every message
    /// of the batch would fail the same way; none should be given up because of it.
    public var isRelayProblem: Bool {
        switch code {
        case .reply(_, let command): return command == "AUTH"
        case .tls, .noStartTLS, .authWithoutTLS, .noAuthMechanism: return true
        case .malformedReply, .messageTooLarge, .invalidAddress, .timeout, .connection: return false
        }
    }

    /// What kind of failure, from a closed set (for metrics): `auth` (the login refused, no usable mechanism,
    /// credentials refused without TLS), `tls`, `connection`, `timeout`, `rejected` (another command's
    /// reply), `protocol` (a reply that makes no sense) or `message` (too large, a bad address).
    public var category: String {
        switch code {
        case .reply(_, let command): return command == "AUTH" ? "auth" : "rejected"
        case .noAuthMechanism, .authWithoutTLS: return "auth"
        case .tls, .noStartTLS: return "tls"
        case .connection: return "connection"
        case .timeout: return "timeout"
        case .malformedReply: return "protocol"
        case .messageTooLarge, .invalidAddress: return "message"
        }
    }

    public static func connection(_ why: String) -> SMTPError { SMTPError(.connection(why)) }
    public static func timeout(_ what: String) -> SMTPError { SMTPError(.timeout(what)) }
    public static func tls(_ why: String) -> SMTPError { SMTPError(.tls(why)) }
}
