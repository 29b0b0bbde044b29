import Testing
import WheelModel

@Suite("TOMLParser")
struct TOMLParserTests {
    @Test("tables and sub-tables nest, and keys after a header belong to it")
    func tables() throws {
        let doc = try TOMLParser.parse("""
            top = "root"

            [a]
            x = "1"

            [a.b]
            y = 'z'

            [ c . d ]   # spaces around dots and a comment
            k = true
            """)
        #expect(doc["top"] == .string("root"))
        #expect(doc["a"]?["x"] == .string("1"))
        #expect(doc["a"]?["b"]?["y"] == .string("z"))
        #expect(doc["a"]?["y"] == nil)
        #expect(doc["c"]?["d"]?["k"] == .bool(true))
    }

    @Test("arrays of tables collect one table per header, and sub-tables attach to the last one")
    func arraysOfTables() throws {
        let doc = try TOMLParser.parse("""
            [[tool.item]]
            name = "first"

            [[tool.item]]
            name = "second"
            [tool.item.extra]
            note = "on second"

            [[tool.item]]
            """)
        #expect(doc["tool"]?["item"] == .array([
            .table(["name": .string("first")]),
            .table(["name": .string("second"), "extra": .table(["note": .string("on second")])]),
            .table([:]),
        ]))
    }

    @Test("dotted keys make tables, quoted keys keep dots and spaces literally")
    func dottedAndQuotedKeys() throws {
        let doc = try TOMLParser.parse("""
            a.b.c = "dotted"
            "x.y" = "quoted"
            'lit key' = "literal"
            site."google.com".ok = true
            a.b.d = 'sibling'
            """)
        #expect(doc["a"] == .table(["b": .table(["c": .string("dotted"), "d": .string("sibling")])]))
        #expect(doc["x.y"] == .string("quoted"))
        #expect(doc["x"] == nil)
        #expect(doc["lit key"] == .string("literal"))
        #expect(doc["site"]?["google.com"]?["ok"] == .bool(true))
    }

    @Test("basic strings decode every escape, literal strings keep backslashes")
    func singleLineStrings() throws {
        let doc = try TOMLParser.parse(#"""
            basic = "tab\there \"q\" back\\slash nl\n cr\r bs\b ff\f esc\e \u00e9 \U0001F600"
            literal = 'C:\Users\n\t "quoted"'
            empty = ""
            emptylit = ''
            """#)
        #expect(doc["basic"] == .string("tab\there \"q\" back\\slash nl\n cr\r bs\u{08} ff\u{0C} esc\u{1B} é 😀"))
        #expect(doc["literal"] == .string(#"C:\Users\n\t "quoted""#))
        #expect(doc["empty"] == .string(""))
        #expect(doc["emptylit"] == .string(""))
    }

    @Test("multi-line basic strings trim the first newline, decode escapes and join backslash-ended lines")
    func multiLineBasic() throws {
        let doc = try TOMLParser.parse(#"""
            text = """
            first line
            second\tline \
                  continued
            "quoted" and ""two"" and a trailing quote""""
            after = "x"
            """#)
        #expect(doc["text"] == .string("first line\nsecond\tline continued\n\"quoted\" and \"\"two\"\" and a trailing quote\""))
        #expect(doc["after"] == .string("x"))
    }

    @Test("multi-line literal strings keep backslashes and newlines as written")
    func multiLineLiteral() throws {
        let doc = try TOMLParser.parse(#"""
            raw = '''
            C:\path\n
              indented \
            end'''
            """#)
        #expect(doc["raw"] == .string("C:\\path\\n\n  indented \\\nend"))
    }

    @Test("CRLF documents parse like LF documents, including multi-line strings")
    func crlfDocument() throws {
        let lf = "[build-system]\nrequires = [\n  \"a\",\n  \"b\",\n]\nnote = \"\"\"\none\ntwo\"\"\"\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let a = try TOMLParser.parse(lf)
        let b = try TOMLParser.parse(crlf)
        #expect(a["build-system"]?["requires"] == .array([.string("a"), .string("b")]))
        #expect(b["build-system"]?["requires"] == a["build-system"]?["requires"])
        #expect(a["build-system"]?["note"] == .string("one\ntwo"))
        // TOML lets a parser keep or normalize the newline inside a multi-line string.
        let note = try #require(b["build-system"]?["note"])
        #expect(note == .string("one\r\ntwo") || note == .string("one\ntwo"))
    }

    @Test("arrays may span lines with comments, blank lines, trailing commas and nesting")
    func multiLineArrays() throws {
        let doc = try TOMLParser.parse("""
            requires = [
                "setuptools>=61",  # a comment after an item

                # a comment on its own line
                'wheel',
            ]
            nested = [ [1, 2], ["a", 'b',], [] ]
            mixed = [true, false, 3.5, 1979-05-27]
            empty = [
            ]
            """)
        #expect(doc["requires"] == .array([.string("setuptools>=61"), .string("wheel")]))
        #expect(doc["nested"] == .array([
            .array([.scalar("1"), .scalar("2")]), .array([.string("a"), .string("b")]), .array([]),
        ]))
        #expect(doc["mixed"] == .array([.bool(true), .bool(false), .scalar("3.5"), .scalar("1979-05-27")]))
        #expect(doc["empty"] == .array([]))
    }

    @Test("inline tables hold values, dotted keys and nested inline tables")
    func inlineTables() throws {
        let doc = try TOMLParser.parse("""
            point = { x = 1, y = "two", sub.k = 'v', inner = { z = [true] } }
            none = {}
            deps = [ { name = "a" }, { name = "b" } ]
            """)
        #expect(doc["point"] == .table([
            "x": .scalar("1"), "y": .string("two"), "sub": .table(["k": .string("v")]),
            "inner": .table(["z": .array([.bool(true)])]),
        ]))
        #expect(doc["none"] == .table([:]))
        #expect(doc["deps"] == .array([.table(["name": .string("a")]), .table(["name": .string("b")])]))
    }

    @Test("bare scalars are kept as text, booleans as booleans")
    func scalars() throws {
        let doc = try TOMLParser.parse("n = 42\nf = -1.5e3\nt = true\nd = 1979-05-27T07:32:00Z # when\n")
        #expect(doc["n"] == .scalar("42"))
        #expect(doc["f"] == .scalar("-1.5e3"))
        #expect(doc["t"] == .bool(true))
        #expect(doc["d"] == .scalar("1979-05-27T07:32:00Z"))
    }

    @Test("errors carry the line where they happen and say what is wrong",
          arguments: [
              ("a = \"x\"\nb =\n", 2, "expected a value"),
              ("a = 1\na = 2\n", 2, "key 'a' defined twice"),
              ("[t]\nx = 1\n[t]\n", 3, "table 't' defined twice"),
              ("x = 1\n\n\ns = \"never closed\n", 4, "unterminated string"),
              ("s = 'never closed\n", 1, "unterminated string"),
              ("ok = 1\ns = \"\\q\"\n", 2, "invalid escape \\q"),
              ("s = \"\\uZZZZ\"\n", 1, "invalid unicode escape \\uZZZZ"),
              ("[a\nx = 1\n", 1, "unterminated table header"),
              ("x = 1 y = 2\n", 1, "expected the end of the line"),
              ("= 1\n", 1, "expected a key"),
              ("key\n", 1, "expected '=' after a key"),
              ("a = [1, 2\nb = 3\n", 2, "expected ',' or ']' in an array"),
              ("t = { a = 1 b = 2 }\n", 1, "expected ',' or '}' in an inline table"),
              ("a = 1\n[a]\n", 2, "'a' is a value, not a table"),
              ("[x]\n[[x]]\n", 2, "'x' is a table, not an array of tables"),
              ("a = 1\na.b = 2\n", 2, "'a' is already a value"),
              ("s = \"\"\"\nline\nline\n", 4, "unterminated multi-line string"),
          ])
    func errorsWithLineNumbers(text: String, line: Int, message: String) {
        #expect(throws: ModelError.toml(line: line, message: message)) { try TOMLParser.parse(text) }
    }

    @Test("line numbers keep counting through multi-line strings and arrays")
    func lineNumbersAfterMultiLineValues() {
        let text = "s = \"\"\"\none\ntwo\"\"\"\narr = [\n  1,\n  # c\n  2,\n]\nbroken = \n"
        #expect(throws: ModelError.toml(line: 9, message: "expected a value")) { try TOMLParser.parse(text) }
        let continued = "s = \"\"\"\\\n   a \\\n   b\"\"\"\nbad\n"
        #expect(throws: ModelError.toml(line: 4, message: "expected '=' after a key")) { try TOMLParser.parse(continued) }
    }
}
