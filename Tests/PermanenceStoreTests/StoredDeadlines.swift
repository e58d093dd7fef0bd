import GRDB
import PermanenceCore

@testable import PermanenceStore

/// What the store suites compare a fast path with: the stored deadlines as text, and the same after the slow
/// way (every case read back from the store and recomputed, one at a time).
extension Store {
    /// Every stored deadline, a line each, in key order.
    func deadlineRows() throws -> [String] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM deadline ORDER BY case_ref, rule_id, anchor_event, cycle").map { row in
                row.columnNames.map { "\($0)=\(row[$0] as DatabaseValue)" }.joined(separator: " ")
            }
        }
    }

    /// Recomputes every case from what the store holds, one at a time with this store's rules, and returns the
    /// stored deadlines then.
    func deadlineRowsRecomputedOneByOne() throws -> [String] {
        try pool.write { db in
            let evaluator = Evaluator(ruleSet: ruleSet)
            for ref in try String.fetchAll(db, sql: "SELECT ref FROM child_case ORDER BY ref") {
                try Store.recompute(db, ref, evaluator: evaluator)
            }
        }
        return try deadlineRows()
    }
}
