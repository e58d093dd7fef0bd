import SMTPCore

/// What became of one message handed to `SMTPClient.send`.
public enum SMTPOutcome: Sendable, Equatable {
    case delivered(SMTPDelivery)
    case failed(SMTPError)

    /// True when the message failed and trying again later may work.
    public var isTemporaryFailure: Bool {
        if case .failed(let e) = self { return e.isTemporary }
        return false
    }
}
