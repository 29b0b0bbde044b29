/// A value from a TOML document. Numbers and dates are kept as their text: wheelcache only
/// reads strings, arrays and tables, but must parse whole documents to find them.
public indirect enum TOMLValue: Equatable, Sendable {
    case string(String)
    case bool(Bool)
    case scalar(String)
    case array([TOMLValue])
    case table([String: TOMLValue])

    public subscript(key: String) -> TOMLValue? {
        if case .table(let t) = self { return t[key] }
        return nil
    }
}

extension TOMLValue {
    /// A string's text, or a bare scalar's.
    var text: String? {
        switch self {
        case .string(let s), .scalar(let s): return s
        default: return nil
        }
    }

    /// The strings of an array of strings.
    var strings: [String]? {
        guard case .array(let items) = self else { return nil }
        return items.compactMap(\.text)
    }
}

/// A parser for TOML 1.0 documents, enough for `pyproject.toml`: tables, arrays of tables,
/// dotted and quoted keys, all four string forms, arrays, inline tables, bare scalars.
public struct TOMLParser {
    private final class Node {
        var items: [String: Item] = [:]
        var explicitlyDefined = false
    }

    private enum Item {
        case value(TOMLValue)
        case table(Node)
        case tableArray([Node])
    }

    private let s: [Unicode.Scalar]
    private var i = 0
    private var line = 1

    /// Parses a whole document into its root table.
    public static func parse(_ text: String) throws(ModelError) -> [String: TOMLValue] {
        var parser = TOMLParser(text)
        return try parser.document()
    }

    private init(_ text: String) { s = Array(text.unicodeScalars) }

    private func fail(_ message: String) -> ModelError { .toml(line: line, message: message) }
    private var atEnd: Bool { i >= s.count }
    private func peek(_ offset: Int = 0) -> Unicode.Scalar? { i + offset < s.count ? s[i + offset] : nil }

    private mutating func skipSpaces() {
        while let c = peek(), c == " " || c == "\t" { i += 1 }
    }

    private mutating func skipComment() {
        if peek() == "#" { while let c = peek(), c != "\n" { i += 1 } }
    }

    /// Skips spaces, comments and newlines (inside arrays and between statements).
    private mutating func skipBlank() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\r" { i += 1 }
            else if c == "\n" { i += 1; line += 1 }
            else if c == "#" { skipComment() }
            else { break }
        }
    }

    private mutating func endOfLine() throws(ModelError) {
        skipSpaces()
        skipComment()
        if peek() == "\r" { i += 1 }
        guard atEnd || peek() == "\n" else { throw fail("expected the end of the line") }
    }

    private mutating func document() throws(ModelError) -> [String: TOMLValue] {
        let root = Node()
        var current = root
        while true {
            skipBlank()
            guard let c = peek() else { break }
            if c == "[" {
                let isArray = peek(1) == "["
                i += isArray ? 2 : 1
                skipSpaces()
                let path = try key()
                skipSpaces()
                guard peek() == "]", !isArray || peek(1) == "]" else { throw fail("unterminated table header") }
                i += isArray ? 2 : 1
                try endOfLine()
                current = try open(path, in: root, arrayElement: isArray)
            } else {
                let path = try key()
                skipSpaces()
                guard peek() == "=" else { throw fail("expected '=' after a key") }
                i += 1
                skipSpaces()
                let v = try value()
                try endOfLine()
                try assign(v, to: path, in: current)
            }
        }
        return TOMLParser.materialize(root)
    }

    private func open(_ path: [String], in root: Node, arrayElement: Bool) throws(ModelError) -> Node {
        var node = root
        for (n, part) in path.enumerated() {
            let last = n == path.count - 1
            switch node.items[part] {
            case nil:
                if last && arrayElement {
                    let fresh = Node()
                    node.items[part] = .tableArray([fresh])
                    return fresh
                }
                let fresh = Node()
                node.items[part] = .table(fresh)
                node = fresh
            case .table(let t)?:
                if last && arrayElement { throw fail("'\(part)' is a table, not an array of tables") }
                if last && t.explicitlyDefined { throw fail("table '\(path.joined(separator: "."))' defined twice") }
                node = t
            case .tableArray(let nodes)?:
                if last && arrayElement {
                    let fresh = Node()
                    node.items[part] = .tableArray(nodes + [fresh])
                    return fresh
                }
                node = nodes[nodes.count - 1]
            case .value?:
                throw fail("'\(part)' is a value, not a table")
            }
        }
        node.explicitlyDefined = true
        return node
    }

    private func assign(_ v: TOMLValue, to path: [String], in table: Node) throws(ModelError) {
        var node = table
        for part in path.dropLast() {
            switch node.items[part] {
            case nil:
                let fresh = Node()
                node.items[part] = .table(fresh)
                node = fresh
            case .table(let t)?: node = t
            default: throw fail("'\(part)' is already a value")
            }
        }
        let last = path[path.count - 1]
        guard node.items[last] == nil else { throw fail("key '\(path.joined(separator: "."))' defined twice") }
        node.items[last] = .value(v)
    }

    private static func materialize(_ node: Node) -> [String: TOMLValue] {
        node.items.mapValues { item in
            switch item {
            case .value(let v): return v
            case .table(let t): return .table(materialize(t))
            case .tableArray(let ts): return .array(ts.map { .table(materialize($0)) })
            }
        }
    }

    private mutating func key() throws(ModelError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            switch peek() {
            case "\"": parts.append(try basicString())
            case "'": parts.append(try literalString())
            default:
                var bare = ""
                while let c = peek(), c.isASCII,
                      c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" || c == "_" {
                    bare.unicodeScalars.append(c)
                    i += 1
                }
                guard !bare.isEmpty else { throw fail("expected a key") }
                parts.append(bare)
            }
            skipSpaces()
            if peek() == "." { i += 1 } else { return parts }
        }
    }

    private mutating func value() throws(ModelError) -> TOMLValue {
        guard let c = peek() else { throw fail("expected a value") }
        switch c {
        case "\"":
            return .string(peek(1) == "\"" && peek(2) == "\"" ? try multilineString(literal: false) : try basicString())
        case "'":
            return .string(peek(1) == "'" && peek(2) == "'" ? try multilineString(literal: true) : try literalString())
        case "[":
            i += 1
            var items: [TOMLValue] = []
            while true {
                skipBlank()
                if peek() == "]" { i += 1; return .array(items) }
                items.append(try value())
                skipBlank()
                if peek() == "," { i += 1; continue }
                guard peek() == "]" else { throw fail("expected ',' or ']' in an array") }
            }
        case "{":
            i += 1
            let node = Node()
            skipSpaces()
            if peek() == "}" { i += 1; return .table([:]) }
            while true {
                let path = try key()
                skipSpaces()
                guard peek() == "=" else { throw fail("expected '=' in an inline table") }
                i += 1
                skipSpaces()
                try assign(try value(), to: path, in: node)
                skipSpaces()
                if peek() == "," { i += 1; continue }
                guard peek() == "}" else { throw fail("expected ',' or '}' in an inline table") }
                i += 1
                return .table(TOMLParser.materialize(node))
            }
        default:
            var token = ""
            while let c = peek(), !" \t\r\n,]}#".unicodeScalars.contains(c) {
                token.unicodeScalars.append(c)
                i += 1
            }
            switch token {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "": throw fail("expected a value")
            default: return .scalar(token)
            }
        }
    }

    private mutating func literalString() throws(ModelError) -> String {
        i += 1
        var out = ""
        while let c = peek(), c != "'" {
            guard c != "\n" else { throw fail("unterminated string") }
            out.unicodeScalars.append(c)
            i += 1
        }
        guard peek() == "'" else { throw fail("unterminated string") }
        i += 1
        return out
    }

    private mutating func basicString() throws(ModelError) -> String {
        i += 1
        var out = ""
        while let c = peek(), c != "\"" {
            guard c != "\n" else { throw fail("unterminated string") }
            if c == "\\" { out.unicodeScalars.append(try escape()) } else { out.unicodeScalars.append(c); i += 1 }
        }
        guard peek() == "\"" else { throw fail("unterminated string") }
        i += 1
        return out
    }

    private mutating func multilineString(literal: Bool) throws(ModelError) -> String {
        let quote: Unicode.Scalar = literal ? "'" : "\""
        i += 3
        // A newline right after the opening delimiter is trimmed.
        if peek() == "\r" && peek(1) == "\n" { i += 2; line += 1 } else if peek() == "\n" { i += 1; line += 1 }
        var out = ""
        while let c = peek() {
            if c == quote && peek(1) == quote && peek(2) == quote {
                var run = 3
                while peek(run) == quote && run < 5 { run += 1 }
                for _ in 0..<(run - 3) { out.unicodeScalars.append(quote) }
                i += run
                return out
            }
            if c == "\n" { line += 1 }
            if !literal && c == "\\" {
                // A line-ending backslash trims the newline and the whitespace after it.
                var j = i + 1
                while j < s.count, s[j] == " " || s[j] == "\t" { j += 1 }
                if j < s.count, s[j] == "\n" || s[j] == "\r" {
                    i = j
                    while let w = peek(), w == " " || w == "\t" || w == "\n" || w == "\r" {
                        if w == "\n" { line += 1 }
                        i += 1
                    }
                    continue
                }
                out.unicodeScalars.append(try escape())
                continue
            }
            out.unicodeScalars.append(c)
            i += 1
        }
        throw fail("unterminated multi-line string")
    }

    private mutating func escape() throws(ModelError) -> Unicode.Scalar {
        i += 1
        guard let e = peek() else { throw fail("unterminated escape") }
        i += 1
        switch e {
        case "b": return "\u{08}"
        case "t": return "\t"
        case "n": return "\n"
        case "f": return "\u{0C}"
        case "r": return "\r"
        case "e": return "\u{1B}"
        case "\"": return "\""
        case "\\": return "\\"
        case "u", "U":
            let count = e == "u" ? 4 : 8
            guard i + count <= s.count else { throw fail("short unicode escape") }
            var hex = ""
            for k in 0..<count { hex.unicodeScalars.append(s[i + k]) }
            i += count
            guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                throw fail("invalid unicode escape \\\(e)\(hex)")
            }
            return scalar
        default:
            throw fail("invalid escape \\\(e)")
        }
    }
}
