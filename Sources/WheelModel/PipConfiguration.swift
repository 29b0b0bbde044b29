import WheelSystem

/// The index options pip would take from its environment variables and configuration files,
/// so that wheelcache looks where pip looks (pins, build requirements). Read as pip reads
/// them: `[global]`, then `[install]` over it; files in pip's order, later ones overriding
/// (`$XDG_CONFIG_DIRS/pip/pip.conf`, `/etc/pip.conf`, `~/.pip/pip.conf`,
/// `$XDG_CONFIG_HOME/pip/pip.conf`, then `$PIP_CONFIG_FILE`; the user files are skipped when
/// that file exists, and none is read when it is `/dev/null`); a `PIP_*` variable overrides
/// every file. An interpreter's own `sys.prefix/pip.conf` is not read.
public struct PipConfiguration: Equatable, Sendable {
    public var indexURL: String?
    public var extraIndexURLs: [String] = []
    public var findLinks: [String] = []
    public var noIndex = false

    public init() {}

    /// The files pip reads, in its order, for `environment`.
    public static func files(environment: [String: String], exists: (String) -> Bool) -> [String] {
        let chosen = environment["PIP_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if chosen == "/dev/null" { return [] }
        let dirs = (environment["XDG_CONFIG_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/xdg").split(separator: ":")
        var files = dirs.map { String($0) + "/pip/pip.conf" } + ["/etc/pip.conf"]
        if let home = environment["HOME"], !home.isEmpty, !(chosen.map(exists) ?? false) {
            let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
            files += [home + "/.pip/pip.conf", configHome + "/pip/pip.conf"]
        }
        if let chosen { files.append(chosen) }
        return files
    }

    /// The options from `texts` (the files' contents, in order) and then `environment`.
    public static func read(_ texts: [String], environment: [String: String]) -> PipConfiguration {
        var values: [String: String] = [:]
        for text in texts {
            let sections = parseINI(text)
            for section in ["global", "install"] {
                values.merge(sections[section] ?? [:]) { $1 }
            }
        }
        for key in ["index-url", "extra-index-url", "find-links", "no-index"] {
            let variable = "PIP_" + key.uppercased().replacing("-", with: "_")
            if let value = environment[variable] { values[key] = value }
        }
        var configuration = PipConfiguration()
        if let url = values["index-url"]?.trimmingSpaces(), !url.isEmpty { configuration.indexURL = url }
        configuration.extraIndexURLs = (values["extra-index-url"] ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        configuration.findLinks = (values["find-links"] ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        if let flag = values["no-index"]?.trimmingSpaces().lowercased() {
            configuration.noIndex = ["1", "true", "yes", "on"].contains(flag)
        }
        return configuration
    }

    /// `[section]` → key → value, as Python's configparser reads a pip.conf: `key = value` or
    /// `key: value`, indented lines continuing a value, `#` and `;` lines as comments. Keys
    /// are lowercased, `_` read as `-`, a leading `--` dropped (pip accepts all three).
    static func parseINI(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var section = ""
        var key: String?
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if raw.first == " " || raw.first == "\t", let key, !section.isEmpty {
                sections[section, default: [:]][key, default: ""] += "\n" + line
                continue
            }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingSpaces().lowercased()
                key = nil
                continue
            }
            guard !section.isEmpty, let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            var name = line[..<separator].trimmingSpaces().lowercased().replacing("_", with: "-")
            if name.hasPrefix("--") { name.removeFirst(2) }
            key = name
            sections[section, default: [:]][name] = line[line.index(after: separator)...].trimmingSpaces()
        }
        return sections
    }
}
