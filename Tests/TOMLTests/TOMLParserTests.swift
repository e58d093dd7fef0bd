import Testing

@testable import TOML

@Suite struct TOMLParserTests {
    @Test func valuesTablesAndLines() throws {
        let doc = try TOMLParser.parse("""
            # comment
            title = "permanenced" # trailing
            count = 1_000
            hex = 0xff
            ratio = 0.5
            on = true
            when = 2026-10-23T14:00:00+01:00
            list = [
              "a", # first
              'b',
            ]
            inline = { x = 1, y.z = "w" }

            [server]
            host = "localhost"

            [[rule]]
            id = "one"
            [rule.repeat]
            every = ["3mo"]

            [[rule]]
            id = "two"
            [rule.repeat]
            every = ["6mo"]
            """)
        #expect(doc.keys == ["title", "count", "hex", "ratio", "on", "when", "list", "inline", "server", "rule"])
        guard case .string("permanenced")? = doc["title"]?.value else { Issue.record("title"); return }
        #expect(doc["title"]?.line == 2)
        guard case .integer(1000)? = doc["count"]?.value, case .integer(255)? = doc["hex"]?.value else {
            Issue.record("integers")
            return
        }
        guard case .dateTime("2026-10-23T14:00:00+01:00")? = doc["when"]?.value else { Issue.record("datetime"); return }
        guard case .array(let list)? = doc["list"]?.value else { Issue.record("list"); return }
        #expect(list.count == 2)
        #expect(list[1].line == 10)
        guard case .array(let rules)? = doc["rule"]?.value, rules.count == 2,
            case .table(let second) = rules[1].value, case .table(let rep)? = second["repeat"]?.value
        else { Issue.record("rules"); return }
        #expect(second.line == 22)
        #expect(rep["every"]?.line == 25)
        guard case .table(let inline)? = doc["inline"]?.value, case .table(let y)? = inline["y"]?.value,
            case .string("w")? = y["z"]?.value
        else { Issue.record("dotted inline"); return }
    }

    @Test func stringsAndEscapes() throws {
        let doc = try TOMLParser.parse(#"""
            a = "tab\there \"q\" \u00e9"
            b = 'C:\path'
            c = """
            line one
            line two\
              continued"""
            d = '''
            raw \n'''
            """#)
        guard case .string(let a)? = doc["a"]?.value, case .string(let b)? = doc["b"]?.value,
            case .string(let c)? = doc["c"]?.value, case .string(let d)? = doc["d"]?.value
        else { Issue.record("strings"); return }
        #expect(a == "tab\there \"q\" é")
        #expect(b == #"C:\path"#)
        #expect(c == "line one\nline twocontinued")
        #expect(d == #"raw \n"#)
    }

    @Test(arguments: [
        ("a = 1\na = 2", 2, "defined twice"),
        ("[t]\nx = 1\n[t]\ny = 2", 3, "defined twice"),
        ("a = \"open", 1, "unterminated"),
        ("a = bare", 1, "strings need quotes"),
        ("a = 1 b = 2", 1, "end of the line"),
        ("[t\nx = 1", 1, "']'"),
        ("x = [1, 2", 1, "']'"),
        ("a.b = 1\n[a]\n", 2, "already defined"),
        ("x = { a = 1,\n b = 2 }", 1, "inline"),
        ("= 1", 1, "expected a key"),
    ])
    func syntaxErrorsNameTheLine(text: String, line: Int, fragment: String) {
        do {
            _ = try TOMLParser.parse(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.line == line, "\(text): \(error)")
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    /// A file nested tens of thousands deep (as fuzzing made) is refused with its line, not a stack overflow.
    @Test(arguments: [
        ("a = 1\nx = " + String(repeating: "[", count: 50_000), 2, "nested more than"),
        ("x = " + String(repeating: "{ a = ", count: 50_000), 1, "nested more than"),
        ("a = [" + String(repeating: "[", count: 31) + String(repeating: "]", count: 32) + "\n[" + (1...40).map { "k\($0)" }.joined(separator: ".") + "]", 2, "dotted key"),
        ((1...50_000).map { "k\($0)" }.joined(separator: ".") + " = 1", 1, "dotted key"),
    ])
    func deepNestingIsRefusedWithItsLine(text: String, line: Int, fragment: String) {
        do {
            _ = try TOMLParser.parse(text)
            Issue.record("expected an error")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let text = "x = " + String(repeating: "[", count: TOMLParser.maxDepth) + String(repeating: "]", count: TOMLParser.maxDepth)
        #expect(try TOMLParser.parse(text)["x"] != nil)
    }
}
