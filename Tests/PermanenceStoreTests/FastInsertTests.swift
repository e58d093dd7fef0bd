import Foundation
import GRDB
import TestSupport
import Testing

@testable import PermanenceStore

/// The statement an import runs millions of times hands SQLite each string's own bytes and their length. What it
/// writes must be exactly what it was given, whatever the length (empty, small strings held inline, long ones),
/// and nothing bound for one run may leak into the next.
@Suite struct FastInsertTests {
    let queue: DatabaseQueue

    init() throws {
        let dir = try scratchDirectory("fast-insert")
        queue = try DatabaseQueue(path: dir.appendingPathComponent("t.sqlite").path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, a TEXT, b TEXT, c INTEGER)")
        }
    }

    @Test func textIsWrittenAsGivenWhateverItsLength() throws {
        // Empty, around the 15 bytes a string holds inline, around a page, and long, in both columns of a row.
        let lengths = [0, 1, 15, 16, 4095, 4096, 4097, 3000, 9000, 70_000, 2]
        var rows: [(Int, String?, String?)] = []
        for (k, n) in lengths.enumerated() {
            let a = String((0..<n).map { i in Character(UnicodeScalar(UInt8(97 + (i + k) % 26))) })
            let b = k % 3 == 0 ? nil : "é\(k)—\(String(repeating: "x", count: lengths[(k + 5) % lengths.count]))"
            rows.append((k, a, b))
        }
        try queue.write { db in
            let insert = try FastInsert(db, sql: "INSERT INTO t (k, a, b, c) VALUES (?, ?, ?, ?)")
            for (k, a, b) in rows { try insert.bind(k).bind(a).bind(b).bind(k * 2).run() }
        }
        try queue.read { db in
            for (k, a, b) in rows {
                let row = try #require(try Row.fetchOne(db, sql: "SELECT a, b, c, typeof(a) AS ta FROM t WHERE k = ?", arguments: [k]))
                #expect(row["a"] as String? == a, "row \(k)")
                #expect(row["b"] as String? == b, "row \(k)")
                #expect(row["c"] as Int == k * 2)
                // An empty text is text, not NULL.
                #expect(row["ta"] as String == "text")
            }
        }
    }

    @Test func aTextIsBoundWhole() throws {
        let texts = ["a\u{0}b", "", "naïve café ✓", "\u{1F600}"]
        try queue.write { db in
            let insert = try FastInsert(db, sql: "INSERT INTO t (k, a) VALUES (?, ?)")
            for (k, t) in texts.enumerated() { try insert.bind(k).bind(t).run() }
            let read = try FastInsert(db, sql: "SELECT a, length(CAST(a AS BLOB)) FROM t WHERE k = ?")
            for (k, t) in texts.enumerated() {
                var got: [(String?, Int?)] = []
                try read.bind(k).forEachRow { got.append(($0.text(0), $0.int(1))) }
                // Every byte is stored, a NUL and what follows it included (no import hands it one: the CSV
                // parser refuses NUL). Read back as a C string, as GRDB reads text, a NUL ends it.
                #expect(got.count == 1 && got[0].1 == t.utf8.count, "\(t.debugDescription)")
                #expect(got.first?.0 == String(t.prefix { $0 != "\u{0}" }), "\(t.debugDescription)")
            }
        }
    }

    @Test func eachRunHasOnlyItsOwnValues() throws {
        try queue.write { db in
            let insert = try FastInsert(db, sql: "INSERT INTO t (k, a, b) VALUES (?, ?, ?)")
            try insert.bind(1).bind("first").bind("one").run()
            // A run that fails (the key is taken) leaves nothing behind for the next.
            #expect(throws: (any Error).self) { try insert.bind(1).bind("again").bind("two").run() }
            try insert.bind(2).bind("second").bind(nil as String?).run()
            // A query with a text parameter, run twice with different values.
            let find = try FastInsert(db, sql: "SELECT k FROM t WHERE a = ? ORDER BY k")
            var found: [Int?] = []
            try find.bind("second").forEachRow { found.append($0.int(0)) }
            try find.bind("first").forEachRow { found.append($0.int(0)) }
            try find.bind("again").forEachRow { found.append($0.int(0)) }
            #expect(found == [2, 1])
        }
        try queue.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT k, a, b FROM t ORDER BY k")
            #expect(rows.map { "\($0["k"] as Int? ?? -1) \($0["a"] as String? ?? "NULL") \($0["b"] as String? ?? "NULL")" }
                == ["1 first one", "2 second NULL"])
        }
    }

    @Test func aParameterARunDoesNotBindIsNull() throws {
        try queue.write { db in
            let insert = try FastInsert(db, sql: "INSERT INTO t (k, a, b) VALUES (?, ?, ?)")
            try insert.bind(1).bind("one").bind(String(repeating: "long text ", count: 100)).run()
            // Two parameters of three: the third is NULL, not the last run's text.
            try insert.bind(2).bind("two").run()
        }
        try queue.read { db in
            let b = try Row.fetchAll(db, sql: "SELECT b FROM t ORDER BY k").map { $0["b"] as String? }
            #expect(b == [String(repeating: "long text ", count: 100), nil])
        }
    }

    @Test func aStatementThatCannotBePreparedIsRefused() throws {
        try queue.write { db in
            #expect(throws: (any Error).self) { try FastInsert(db, sql: "SELEKT 1") }
            // The connection goes on.
            try FastInsert(db, sql: "INSERT INTO t (k) VALUES (?)").bind(7).run()
        }
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT k FROM t") } == 7)
    }

    @Test func rowsAreReadOneStepAtATime() throws {
        try queue.write { db in
            let insert = try FastInsert(db, sql: "INSERT INTO t (k, a) VALUES (?, ?)")
            for k in 0..<50 { try insert.bind(k).bind(String(repeating: "v", count: k * 200)).run() }
            let read = try FastInsert(db, sql: "SELECT k, a FROM t WHERE a >= ? ORDER BY k")
            var seen: [Int] = []
            read.bind(String(repeating: "v", count: 45 * 200))
            while try read.step() {
                let k = read.int(0) ?? -1
                #expect(read.text(1)?.utf8.count == k * 200)
                seen.append(k)
            }
            #expect(seen == Array(45..<50))
        }
    }
}
