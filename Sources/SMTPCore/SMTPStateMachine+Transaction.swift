/// Mail transactions: MAIL, RCPT, DATA, the message, and RSET after a failure; pipelined when offered.
extension SMTPStateMachine {
    enum Expect: Sendable, Equatable {
        case mail, rcpt(Int), data, body
    }

    struct Transaction: Sendable {
        var envelope: SMTPEnvelope
        /// Replies still to come, in order.
        var expected: [Expect]
        var accepted: [String] = []
        var refused: [SMTPDelivery.Refusal] = []
        /// Set once the transaction cannot succeed; the remaining pipelined replies are still read.
        var failure: SMTPError?
        /// MAIL was accepted, so the server holds a transaction to reset if this one fails.
        var open = false
    }

    /// Starts the next queued message, or QUITs when asked to and nothing is left.
    mutating func nextMessage() -> [Action] {
        var actions: [Action] = []
        while let envelope = queue.first {
            queue.removeFirst()
            let addresses = [envelope.from] + envelope.recipients
            if let bad = addresses.first(where: { !SMTPEnvelope.isValidAddress($0) }) {
                actions.append(.messageFailed(id: envelope.id, SMTPError(.invalidAddress(bad))))
                continue
            }
            if envelope.recipients.isEmpty {
                actions.append(.messageFailed(id: envelope.id, SMTPError(.invalidAddress("(no recipient)"))))
                continue
            }
            if let limit = capabilities.size, limit > 0, envelope.message.count > limit {
                actions.append(.messageFailed(id: envelope.id, SMTPError(.messageTooLarge(size: envelope.message.count, limit: limit))))
                continue
            }
            return actions + begin(envelope)
        }
        if quitWhenIdle {
            state = .quitting
            actions.append(command("QUIT"))
        }
        return actions
    }

    func mailCommand(_ e: SMTPEnvelope) -> String {
        capabilities.size != nil ? "MAIL FROM:<\(e.from)> SIZE=\(e.message.count)" : "MAIL FROM:<\(e.from)>"
    }

    mutating func begin(_ e: SMTPEnvelope) -> [Action] {
        if capabilities.pipelining {
            // RFC 2920: MAIL, every RCPT and DATA in one write; the replies come back in the same order.
            let lines = [mailCommand(e)] + e.recipients.map { "RCPT TO:<\($0)>" } + ["DATA"]
            state = .transaction(Transaction(envelope: e, expected: [.mail] + e.recipients.indices.map { .rcpt($0) } + [.data]))
            return [.write(Array(lines.map { $0 + "\r\n" }.joined().utf8), transcript: lines.map { "C: " + $0 })]
        }
        state = .transaction(Transaction(envelope: e, expected: [.mail]))
        return [command(mailCommand(e))]
    }

    mutating func transact(_ tx0: Transaction, _ reply: SMTPReply) -> [Action] {
        var tx = tx0
        guard let expect = tx.expected.first else { return [] }
        tx.expected.removeFirst()
        let pipelined = capabilities.pipelining
        var actions: [Action] = []
        switch expect {
        case .mail:
            if reply.code == 250 {
                tx.open = true
                if !pipelined { tx.expected = [.rcpt(0)]; actions.append(command("RCPT TO:<\(tx.envelope.recipients[0])>")) }
            } else {
                tx.failure = SMTPError(.reply(reply, command: "MAIL FROM"))
            }
        case .rcpt(let i):
            let recipient = tx.envelope.recipients[i]
            if reply.code == 250 || reply.code == 251 {
                tx.accepted.append(recipient)
            } else {
                tx.refused.append(.init(recipient: recipient, reply: reply))
            }
            if i == tx.envelope.recipients.count - 1 && tx.accepted.isEmpty && tx.failure == nil {
                tx.failure = SMTPError(.reply(reply, command: "RCPT TO"))
            }
            if !pipelined && tx.failure == nil {
                if i + 1 < tx.envelope.recipients.count {
                    tx.expected = [.rcpt(i + 1)]
                    actions.append(command("RCPT TO:<\(tx.envelope.recipients[i + 1])>"))
                } else {
                    tx.expected = [.data]
                    actions.append(command("DATA"))
                }
            }
        case .data:
            if reply.code == 354 {
                tx.expected = [.body]
                if tx.failure != nil {
                    // RFC 2920 §3.1: DATA was accepted although no recipient was; end it with a lone dot.
                    actions.append(.write(Array(".\r\n".utf8), transcript: ["C: ."]))
                } else {
                    let block = SMTPEnvelope.dataBlock(tx.envelope.message)
                    actions.append(.write(block, transcript: ["C: (message, \(tx.envelope.message.count) bytes)", "C: ."]))
                }
            } else if tx.failure == nil {
                tx.failure = SMTPError(.reply(reply, command: "DATA"))
            }
        case .body:
            if reply.code != 250 && tx.failure == nil {
                tx.failure = SMTPError(.reply(reply, command: "the end of the message"))
            } else if tx.failure == nil {
                state = .ready
                actions.append(.delivered(SMTPDelivery(id: tx.envelope.id, accepted: tx.accepted, refused: tx.refused, reply: reply)))
                return actions + nextMessage()
            }
            tx.open = false
        }
        // A failed transaction ends once every reply already asked for has come back.
        if let failure = tx.failure, tx.expected.isEmpty || !pipelined {
            if reply.code == 421 { state = .transaction(tx); return fail(failure, quitFirst: false) }
            actions.append(.messageFailed(id: tx.envelope.id, failure))
            if tx.open {
                state = .reset
                actions.append(command("RSET"))
                return actions
            }
            state = .ready
            return actions + nextMessage()
        }
        state = .transaction(tx)
        return actions
    }
}
