#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import WheelSystem

/// One requirement from a requirements file, with where it came from.
public struct RequirementLine: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// `name==version` (or `===`).
        case pin(name: String, version: String)
        /// An http(s) or file URL of an sdist (or wheel), maybe named (`name @ URL`).
        case url(String, name: String?)
        /// A git URL, maybe named.
        case vcs(String, name: String?)
        /// A local path: an sdist or a project folder.
        case path(String)
    }

    /// `FILE:LINE`, for messages.
    public let location: String
    /// The requirement as written (credentials redacted), without its options.
    public let text: String
    public let kind: Kind
    /// `--hash` values, as `ALGORITHM:HEX` (lowercased).
    public let hashes: [String]
    public let marker: Marker?
    /// The marker as written after `;` (carried into install manifests).
    public var markerText: String? = nil

    /// SHA-256 hex digests allowed for this line (from `--hash=sha256:…`).
    public var sha256Hashes: [String] {
        hashes.compactMap { $0.hasPrefix("sha256:") ? String($0.dropFirst(7)) : nil }
    }
}

/// A pip requirements file (`-r`), parsed the way pip reads it: comments, `\` continuations,
/// `${VAR}` expansion, nested `-r`, index options, per-line `--hash`. Anything wheelcache
/// cannot build from exactly (an unpinned range, an editable, a constraint file) is an error
/// naming the file and line, raised before anything is built.
public struct RequirementsFile: Sendable {
    public var lines: [RequirementLine] = []
    public var indexURL: String?
    public var extraIndexURLs: [String] = []
    public var findLinks: [String] = []
    public var noIndex = false
    /// `--require-hashes` on a line of its own (pip's hash-checking mode for every line).
    public var requireHashes = false
    /// The lines of `-c` constraints files, with the file they came from: a pin they exclude
    /// is an error, as in pip.
    public var constraints: [(line: String, location: String)] = []
    /// `--no-binary` and `--only-binary` lines, pip's meaning: build these from sdists; take
    /// only wheels of these.
    public var noBinary: [String] = []
    public var onlyBinary: [String] = []
    /// The lines that could not be read, each an error naming its file and line.
    public var problems: [ModelError] = []

    public init() {}

    /// Parses `path` and the files it includes. `read` returns a file's text, or why not;
    /// `environment` expands `${VAR}`.
    /// Throws the first bad line's error.
    public static func parse(_ path: String, environment: [String: String],
                             read: (String) -> Result<String, ReadFailure>) throws(ModelError) -> RequirementsFile {
        let result = try reading(path, environment: environment, read: read)
        if let first = result.problems.first { throw first }
        return result
    }

    /// Like `parse`, but a bad line is kept in `problems` and the rest is read; throws only
    /// when the file cannot be read at all.
    /// Why a file's text could not be had (said after the file's name).
    public struct ReadFailure: Error {
        public let reason: String
        public init(_ reason: String) { self.reason = reason }
    }

    /// A local file's text: UTF-8 (a BOM allowed), else why not (missing, unreadable, UTF-16
    /// or another encoding), as pip would need it.
    public static func readText(_ path: String) -> Result<String, ReadFailure> {
        let bytes: [UInt8]
        do { bytes = try FileReader.contents(of: path, limit: 64 << 20) } catch {
            if error.errno == EFBIG { return .failure(ReadFailure("it is larger than 64 MiB")) }
            if error.errno == EINVAL { return .failure(ReadFailure("it is not a regular file")) }
            return .failure(ReadFailure(String(cString: strerror(error.errno))))
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return .failure(ReadFailure("it is UTF-16, not UTF-8; convert it (iconv -f UTF-16 -t UTF-8)"))
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        guard let text = String(validating: body, as: UTF8.self) else {
            return .failure(ReadFailure("it is not UTF-8 (Latin-1 or another encoding?); convert it to UTF-8"))
        }
        return .success(text)
    }

    public static func reading(_ path: String, environment: [String: String],
                               read: (String) -> Result<String, ReadFailure> = readText) throws(ModelError) -> RequirementsFile {
        var result = RequirementsFile()
        try result.include(path, from: nil, environment: environment, read: read, depth: 0)
        return result
    }

    private mutating func include(_ path: String, from: String?, environment: [String: String],
                                  read: (String) -> Result<String, ReadFailure>, depth: Int) throws(ModelError) {
        guard depth < 20 else { throw .requirements(location: from ?? path, "requirement files include each other too deeply (a loop?)") }
        let text: String
        switch read(path) {
        case .success(let read): text = read
        case .failure(let failure):
            // Named once: in the location when it is the file given, else after it.
            throw .requirements(location: from ?? path, "cannot read the requirements file\(from == nil ? "" : " " + path): \(failure.reason)")
        }
        let folder = PathText.parent(path)
        for (number, raw) in RequirementsFile.logicalLines(text) {
            // Every bad line is reported, not only the first; a file that cannot be read at
            // all (or includes itself) still stops the parse.
            do {
                try line(raw, number: number, path: path, folder: folder, environment: environment, read: read, depth: depth)
            } catch {
                if case .requirements(_, let why) = error, why.contains("include each other too deeply") { throw error }
                problems.append(error)
            }
        }
    }

    private mutating func line(_ raw: String, number: Int, path: String, folder: String, environment: [String: String],
                               read: (String) -> Result<String, ReadFailure>, depth: Int) throws(ModelError) {
        let location = "\(path):\(number)"
        var line = RequirementsFile.stripComment(raw).trimmingSpaces()
        if line.isEmpty { return }
        line = RequirementsFile.expand(line, environment)
        let tokens = RequirementsFile.split(line)
        let requirementTokens = tokens.prefix { !$0.hasPrefix("-") }
        var options = Array(tokens.dropFirst(requirementTokens.count))
        if requirementTokens.isEmpty {
            try global(options, location: location, folder: folder, environment: environment, read: read, depth: depth)
            return
        }
        var hashes: [String] = []
        while !options.isEmpty {
            let option = options.removeFirst()
            var value: String?
            var name = option
            if let eq = option.firstIndex(of: "=") {
                name = String(option[..<eq])
                value = String(option[option.index(after: eq)...])
            } else if !options.isEmpty {
                value = options.removeFirst()
            }
            guard name == "--hash", let value else {
                throw .requirements(location: location, "the option '\(name)' is not supported on a requirement line (only --hash is)")
            }
            hashes.append(try RequirementsFile.hash(value, location: location))
        }
        let requirement = requirementTokens.joined(separator: " ")
        lines.append(try RequirementsFile.requirement(requirement, hashes: hashes, location: location))
    }

    /// Lines starting with an option: nested files and index options.
    private mutating func global(_ tokens: [String], location: String, folder: String, environment: [String: String],
                                 read: (String) -> Result<String, ReadFailure>, depth: Int) throws(ModelError) {
        var rest = tokens[...]
        while let option = rest.first {
            rest = rest.dropFirst()
            var name = option
            var value: String?
            if option.hasPrefix("--"), let eq = option.firstIndex(of: "=") {
                name = String(option[..<eq])
                value = String(option[option.index(after: eq)...])
            } else if !option.hasPrefix("--"), option.count > 2 {
                // `-rfile.txt`, `-ihttps://…`
                name = String(option.prefix(2))
                value = String(option.dropFirst(2))
            }
            func needValue() throws(ModelError) -> String {
                if let value { return value }
                guard let next = rest.first else { throw .requirements(location: location, "\(name) needs a value") }
                rest = rest.dropFirst()
                return next
            }
            switch name {
            case "-r", "--requirement":
                let file = try needValue()
                if file.contains("://") { throw .requirements(location: location, "requirement files from URLs are not supported; download \(URLRedaction.redact(file)) first") }
                let nested = file.hasPrefix("/") ? file : (folder.isEmpty ? file : folder + "/" + file)
                try include(nested, from: location, environment: environment, read: read, depth: depth + 1)
            case "-i", "--index-url": indexURL = try needValue()
            case "--extra-index-url": extraIndexURLs.append(try needValue())
            case "-f", "--find-links": findLinks.append(try needValue())
            case "--no-index": noIndex = true
            case "--require-hashes": requireHashes = true
            case "--no-binary": noBinary.append(try needValue())
            case "--only-binary": onlyBinary.append(try needValue())
            case "-e", "--editable":
                throw .requirements(location: location, "editable requirements (-e) cannot be cached; list the project folder or a pinned version instead")
            case "-c", "--constraint":
                let file = try needValue()
                if file.contains("://") { throw .requirements(location: location, "constraint files from URLs are not supported; download \(URLRedaction.redact(file)) first") }
                let path = file.hasPrefix("/") ? file : (folder.isEmpty ? file : folder + "/" + file)
                let text: String
                switch read(path) {
                case .success(let read): text = read
                case .failure(let failure): throw .requirements(location: location, "cannot read the constraints file \(path): \(failure.reason)")
                }
                constraints += RequirementsFile.constraintLines(text).map { (line: $0, location: path) }
            case "--trusted-host", "--pre", "--prefer-binary", "--use-feature":
                if name == "--trusted-host" || name == "--use-feature" { _ = try needValue() }
            default:
                throw .requirements(location: location, "the option '\(name)' is not supported in a requirements file")
            }
        }
    }

    /// Classifies a requirement: a pin, a URL, a git URL or a path.
    public static func requirement(_ text: String, hashes: [String], location: String) throws(ModelError) -> RequirementLine {
        var body = text
        var marker: Marker?
        var markerText: String?
        // `; marker`: after a URL PEP 508 wants white space before ';'; after a pin it may be tight.
        if let semicolon = RequirementsFile.markerSeparator(in: body) {
            let written = String(body[body.index(after: semicolon)...]).trimmingSpaces()
            markerText = written
            do { marker = try Marker(written) } catch {
                throw .requirements(location: location, error.description)
            }
            body = String(body[..<semicolon]).trimmingSpaces()
        }
        let shown = URLRedaction.redact(body)
        func line(_ kind: RequirementLine.Kind) -> RequirementLine {
            RequirementLine(location: location, text: shown, kind: kind, hashes: hashes, marker: marker,
                            markerText: markerText)
        }
        let lower = body.lowercased()
        if lower.hasPrefix("git+") { return line(.vcs(body, name: nil)) }
        for scheme in ["hg+", "svn+", "bzr+"] where lower.hasPrefix(scheme) {
            throw .requirements(location: location, "only git is supported among version control systems")
        }
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("file://") {
            return line(.url(body, name: nil))
        }
        // `name [extras] @ URL`
        if let at = body.firstIndex(of: "@") {
            var name = body[..<at].trimmingSpaces()
            let url = body[body.index(after: at)...].trimmingSpaces()
            if let bracket = name.firstIndex(of: "[") { name = name[..<bracket].trimmingSpaces() }
            if ProjectName.isValid(name), url.contains("://") {
                if url.lowercased().hasPrefix("git+") { return line(.vcs(url, name: name)) }
                return line(.url(url, name: name))
            }
        }
        if body.hasPrefix(".") || body.hasPrefix("/") || body.hasPrefix("~") || body.contains("/")
            || [".tar.gz", ".zip", ".tgz", ".tar.bz2", ".tar.xz", ".tar"].contains(where: { lower.hasSuffix($0) }) {
            return line(.path(body))
        }
        // `name [extras] ==version`
        let nameEnd = body.firstIndex { !($0.isLetter || $0.isNumber || "._-".contains($0)) } ?? body.endIndex
        let name = String(body[..<nameEnd])
        guard ProjectName.isValid(name) else {
            throw .requirements(location: location, "'\(shown)' is not a requirement wheelcache understands (a pinned name==version, a URL, a git URL or a path)")
        }
        var rest = body[nameEnd...].trimmingSpaces()
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .requirements(location: location, "'\(shown)': an extras list is not closed") }
            rest = rest[rest.index(after: close)...].trimmingSpaces()
        }
        if let first = rest.first, !"<>=!~".contains(first) {
            throw .requirements(location: location, "'\(shown)' is not a requirement wheelcache understands (a pinned name==version, a URL, a git URL or a path)")
        }
        for op in ["===", "=="] where rest.hasPrefix(op) {
            let version = rest.dropFirst(op.count).trimmingSpaces()
            guard !version.isEmpty, !version.contains(","), !version.hasSuffix(".*"), !version.contains(" "),
                  op == "===" || Version(version) != nil else { break }
            return line(.pin(name: name, version: version))
        }
        throw .requirements(location: location, "'\(shown)' is not pinned to one version; wheelcache builds exact pins (name==version), as pip-compile and uv pip compile write them")
    }

    /// The ';' that starts a marker, if any: not inside a URL's fragment or query.
    static func markerSeparator(in text: String) -> String.Index? {
        guard let semicolon = text.firstIndex(of: ";") else { return nil }
        let before = text[..<semicolon]
        if before.contains("://") {
            // For URLs only '; ' after white space counts (PEP 508).
            guard let last = before.last, last.isWhitespace else { return nil }
        }
        return semicolon
    }

    /// A `--hash` value as `ALGORITHM:HEX`, lowercased.
    static func hash(_ value: String, location: String) throws(ModelError) -> String {
        let parts = value.split(separator: ":", maxSplits: 1).map { String($0).lowercased() }
        guard parts.count == 2, ["sha256", "sha384", "sha512"].contains(parts[0]),
              !parts[1].isEmpty, parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw .requirements(location: location, "--hash=\(value) is not ALGORITHM:HEXDIGEST (sha256, sha384 or sha512)")
        }
        return parts[0] + ":" + parts[1]
    }

    /// The requirement strings of a constraints file: comments, options (`--hash`) and blank
    /// lines dropped, continuations joined.
    public static func constraintLines(_ text: String) -> [String] {
        logicalLines(text).compactMap { _, raw in
            let tokens = split(stripComment(raw).trimmingSpaces())
            let requirement = tokens.prefix { !$0.hasPrefix("-") }.joined(separator: " ")
            return requirement.isEmpty ? nil : requirement
        }
    }

    /// The `--hash` values of a constraints file (`ALGORITHM:HEX`) by the normalized name of
    /// the project on their line: a build environment may hold only a wheel with one of them.
    public static func constraintHashes(_ text: String, file: String) throws(ModelError) -> [String: [String]] {
        var found: [String: [String]] = [:]
        for (number, raw) in logicalLines(text) {
            let tokens = split(stripComment(raw).trimmingSpaces())
            let requirement = tokens.prefix { !$0.hasPrefix("-") }
            guard let first = requirement.first else { continue }
            var options = Array(tokens.dropFirst(requirement.count))
            let name = ProjectName.normalize(String(first.prefix { $0.isLetter || $0.isNumber || "-_.".contains($0) }))
            while !options.isEmpty {
                let option = options.removeFirst()
                let value: String?
                if option.hasPrefix("--hash=") {
                    value = String(option.dropFirst("--hash=".count))
                } else if option == "--hash" {
                    value = options.isEmpty ? nil : options.removeFirst()
                } else {
                    continue
                }
                let location = "\(file):\(number)"
                guard let value else { throw .requirements(location: location, "--hash needs a value") }
                found[name, default: []].append(try hash(value, location: location))
            }
        }
        return found
    }

    /// Physical lines joined at trailing backslashes, numbered by their first line (as pip).
    static func logicalLines(_ text: String) -> [(Int, String)] {
        var out: [(Int, String)] = []
        var pending: [String] = []
        var first = 0
        // Plain ASCII with `\n` alone between lines (the usual file) is split by bytes.
        let plain = text.utf8.allSatisfy { $0 < 0x80 && $0 != 0x0B && $0 != 0x0C && $0 != 0x0D }
        let lines = plain ? text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(Substring($0)) }
            : text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        for (index, line) in lines.enumerated() {
            let isComment = line.trimmingSpaces().hasPrefix("#")
            if line.hasSuffix("\\") && !isComment {
                if pending.isEmpty { first = index + 1 }
                var stripped = line
                while stripped.hasSuffix("\\") { stripped.removeLast() }
                pending.append(stripped)
                continue
            }
            if pending.isEmpty {
                out.append((index + 1, line))
            } else {
                pending.append(isComment ? "" : line)
                out.append((first, pending.joined()))
                pending = []
            }
        }
        if !pending.isEmpty { out.append((first, pending.joined())) }
        return out
    }

    /// Drops `#` comments: at the start of a line or after white space (so `url#sha256=` stays).
    static func stripComment(_ line: String) -> String {
        if line.utf8.allSatisfy({ $0 < 0x80 }) {
            var previous = UInt8(ascii: " ")
            for index in line.utf8.indices {
                let byte = line.utf8[index]
                if byte == UInt8(ascii: "#") && (previous == 0x20 || (0x09...0x0D).contains(previous)) {
                    return String(line[..<index])
                }
                previous = byte
            }
            return line
        }
        var previous: Character = " "
        for index in line.indices {
            if line[index] == "#" && previous.isWhitespace { return String(line[..<index]) }
            previous = line[index]
        }
        return line
    }

    /// pip's `${NAME}` expansion (upper-case letters, digits, underscores only).
    static func expand(_ line: String, _ environment: [String: String]) -> String {
        guard line.utf8.contains(UInt8(ascii: "$")) else { return line }
        var out = ""
        var rest = Substring(line)
        while let start = rest.firstRange(of: "${") {
            out += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: "}") else { out += rest[start.lowerBound...]; return out }
            let name = String(after[..<end])
            if !name.isEmpty, name.allSatisfy({ ($0.isUppercase && $0.isASCII) || $0.isNumber || $0 == "_" }), let value = environment[name] {
                out += value
            } else {
                out += "${" + name + "}"
            }
            rest = after[after.index(after: end)...]
        }
        return out + rest
    }

    /// Splits on white space (requirements files do not quote).
    static func split(_ line: String) -> [String] {
        if line.utf8.allSatisfy({ $0 < 0x80 }) {
            return line.utf8.split(whereSeparator: { $0 == 0x20 || (0x09...0x0D).contains($0) }).map { String(Substring($0)) }
        }
        return line.split(whereSeparator: \.isWhitespace).map(String.init)
    }
}
