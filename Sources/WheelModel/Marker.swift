import WheelSystem

/// A PEP 508 environment marker (`python_version >= "3.8" and sys_platform == "linux"`),
/// parsed once and evaluated against an interpreter's marker environment.
public indirect enum Marker: Equatable, Sendable {
    case compare(String, String, String)  // left, operator, right; variables are `$name`
    case and(Marker, Marker)
    case or(Marker, Marker)

    static let variables: Set<String> = [
        "python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
        "platform_system", "platform_version", "platform_machine", "platform_python_implementation",
        "implementation_name", "implementation_version", "extra",
        // Old spellings that pip still accepts.
        "os.name", "sys.platform", "platform.version", "platform.machine", "platform.python_implementation",
        "python_implementation",
    ]

    public init(_ text: String) throws(ModelError) {
        var parser = Parser(tokens: try Marker.tokenize(text), text: text)
        self = try parser.or()
        guard parser.position == parser.tokens.count else { throw parser.error("unexpected '\(parser.tokens[parser.position].text)'") }
    }

    /// Evaluates the marker; a variable the environment lacks is the empty string (as `extra`).
    public func evaluate(_ environment: [String: String]) -> Bool {
        switch self {
        case .and(let a, let b): return a.evaluate(environment) && b.evaluate(environment)
        case .or(let a, let b): return a.evaluate(environment) || b.evaluate(environment)
        case .compare(let left, let op, let right):
            func value(_ side: String) -> String {
                guard side.hasPrefix("$") else { return side }
                let name = String(side.dropFirst())
                let canonical = ["os.name": "os_name", "sys.platform": "sys_platform", "platform.version": "platform_version",
                                 "platform.machine": "platform_machine", "platform.python_implementation": "platform_python_implementation",
                                 "python_implementation": "platform_python_implementation"][name] ?? name
                return environment[canonical] ?? ""
            }
            // Extras compare by their normalized names (PEP 685): `extra == "Socks_Proxy"`.
            if left == "$extra" || right == "$extra" {
                return Marker.compare(ProjectName.normalize(value(left)), op, ProjectName.normalize(value(right)))
            }
            return Marker.compare(value(left), op, value(right))
        }
    }

    /// PEP 508: a version comparison when both sides are versions, else string comparison.
    static func compare(_ left: String, _ op: String, _ right: String) -> Bool {
        switch op {
        case "in": return right.contains(left)
        case "not in": return !right.contains(left)
        default: break
        }
        if let lhs = Version(left) {
            if let result = VersionSpecifier.matches(lhs, op, right) { return result }
        }
        switch op {
        case "==", "===": return left == right
        case "!=": return left != right
        default: return false
        }
    }

    struct Token: Equatable {
        enum Kind { case string, word, op, open, close }
        let kind: Kind
        let text: String
    }

    static func tokenize(_ text: String) throws(ModelError) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "(" { tokens.append(Token(kind: .open, text: "(")); i += 1; continue }
            if c == ")" { tokens.append(Token(kind: .close, text: ")")); i += 1; continue }
            if c == "'" || c == "\"" {
                guard let end = chars[(i + 1)...].firstIndex(of: c) else { throw .invalidMarker(text, "a string is not closed") }
                tokens.append(Token(kind: .string, text: String(chars[(i + 1)..<end])))
                i = end + 1
                continue
            }
            if "<>=!~".contains(c) {
                var op = String(c)
                i += 1
                while i < chars.count, "<>=!~".contains(chars[i]) { op.append(chars[i]); i += 1 }
                guard ["<", "<=", ">", ">=", "==", "!=", "~=", "==="].contains(op) else { throw .invalidMarker(text, "'\(op)' is not an operator") }
                tokens.append(Token(kind: .op, text: op))
                continue
            }
            if c.isLetter || c == "_" {
                var word = ""
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "." {
                    word.append(chars[i]); i += 1
                }
                tokens.append(Token(kind: .word, text: word))
                continue
            }
            throw .invalidMarker(text, "unexpected '\(c)'")
        }
        return tokens
    }

    struct Parser {
        let tokens: [Token]
        let text: String
        var position = 0

        func error(_ why: String) -> ModelError { .invalidMarker(text, why) }

        mutating func or() throws(ModelError) -> Marker {
            var left = try and()
            while position < tokens.count, tokens[position] == Token(kind: .word, text: "or") {
                position += 1
                left = .or(left, try and())
            }
            return left
        }

        mutating func and() throws(ModelError) -> Marker {
            var left = try expression()
            while position < tokens.count, tokens[position] == Token(kind: .word, text: "and") {
                position += 1
                left = .and(left, try expression())
            }
            return left
        }

        mutating func expression() throws(ModelError) -> Marker {
            guard position < tokens.count else { throw error("it ends too early") }
            if tokens[position].kind == .open {
                position += 1
                let inner = try or()
                guard position < tokens.count, tokens[position].kind == .close else { throw error("a '(' is not closed") }
                position += 1
                return inner
            }
            let left = try variable()
            guard position < tokens.count else { throw error("a comparison has no operator") }
            var op: String
            let token = tokens[position]
            if token.kind == .op { op = token.text; position += 1 }
            else if token == Token(kind: .word, text: "in") { op = "in"; position += 1 }
            else if token == Token(kind: .word, text: "not"), position + 1 < tokens.count,
                    tokens[position + 1] == Token(kind: .word, text: "in") { op = "not in"; position += 2 }
            else { throw error("'\(token.text)' is not a comparison operator") }
            if op == "===" { op = "===" }
            return .compare(left, op, try variable())
        }

        mutating func variable() throws(ModelError) -> String {
            guard position < tokens.count else { throw error("it ends too early") }
            let token = tokens[position]
            position += 1
            switch token.kind {
            case .string: return token.text
            case .word where Marker.variables.contains(token.text): return "$" + token.text
            default: throw error("'\(token.text)' is not a marker variable or a quoted string")
            }
        }
    }
}

/// PEP 440 comparison of a version against one `OP VERSION` clause.
public enum VersionSpecifier {
    /// Whether `version` satisfies every clause of a specifier set such as `>=3.8, !=3.9.*`.
    /// A clause this parser cannot read is not held against the version (nil: unknown).
    public static func satisfies(_ version: Version, _ set: String) -> Bool? {
        var unknown = false
        for clause in set.split(separator: ",") {
            let text = clause.trimmingSpaces()
            guard !text.isEmpty else { continue }
            let op = String(text.prefix { "<>=!~".contains($0) })
            let operand = text.dropFirst(op.count).trimmingSpaces()
            guard !op.isEmpty, let result = matches(version, op, operand) else { unknown = true; continue }
            if !result { return false }
        }
        return unknown ? nil : true
    }

    /// nil when `right` is not a version this operator can compare with.
    public static func matches(_ version: Version, _ op: String, _ right: String) -> Bool? {
        if op == "===" { return version.normalized == right.lowercased() || "\(version)" == right }
        if (op == "==" || op == "!=") && right.hasSuffix(".*") {
            guard let prefix = Version(String(right.dropLast(2))) else { return nil }
            let wanted = Array(prefix.release + Array(repeating: 0, count: max(0, right.split(separator: ".").count - 1 - prefix.release.count)))
            let padded = version.release + Array(repeating: 0, count: max(0, wanted.count - version.release.count))
            let same = version.epoch == prefix.epoch && Array(padded.prefix(wanted.count)) == wanted
            return op == "==" ? same : !same
        }
        guard let other = Version(right) else { return nil }
        switch op {
        case "==": return other.local.isEmpty ? version.matchesPublic(other) : version == other
        case "!=": return !(other.local.isEmpty ? version.matchesPublic(other) : version == other)
        case "<": return version < other && !version.matchesPublic(other)
        case "<=": return version < other || version.matchesPublic(other)
        case ">": return other < version && !version.matchesPublic(other)
        case ">=": return other < version || version.matchesPublic(other)
        case "~=":
            let parts = right.split(separator: ".")
            guard parts.count >= 2 else { return nil }
            let prefix = parts.dropLast().joined(separator: ".") + ".*"
            return (matches(version, ">=", right) ?? false) && (matches(version, "==", prefix) ?? false)
        default: return nil
        }
    }
}
