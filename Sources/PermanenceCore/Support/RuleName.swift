import Synchronization

/// A rule id held as a number, so that a `Deadline` carries no string: the engine makes millions of
/// deadlines, and each string in one costs a reference count on every copy and every destroy. Ids are
/// kept once each for the life of the process (rule sets reloaded with the same rules reuse them), so
/// the table grows only with rule ids never seen before.
public struct RuleName: Sendable, Hashable {
    private let number: Int32

    private struct Table {
        var ids: [String] = []
        var numbers: [String: Int32] = [:]
    }

    private static let table = Mutex(Table())

    /// The number for `id`, given it the first time it is seen.
    public init(_ id: String) {
        number = RuleName.table.withLock { t in
            if let n = t.numbers[id] { return n }
            let n = Int32(t.ids.count)
            t.ids.append(id)
            t.numbers[id] = n
            return n
        }
    }

    /// The rule id.
    public var id: String { RuleName.table.withLock { $0.ids[Int(number)] } }
}
