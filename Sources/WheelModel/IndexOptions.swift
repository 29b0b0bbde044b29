/// Options passed through to the installer of build requirements, as pip takes them.
public struct IndexOptions: Equatable, Sendable {
    public var indexURL: String?
    public var extraIndexURLs: [String]
    public var findLinks: [String]
    public var noIndex: Bool
    /// Build constraints (`--build-constraint`, `PIP_BUILD_CONSTRAINT`): the requirement lines
    /// of their files, which limit every build environment's versions.
    public var constraints: [String] = []
    /// Their `--hash` values by normalized project name: that project's wheel in a build
    /// environment must have one of them.
    public var constraintHashes: [String: [String]] = [:]

    public init(indexURL: String? = nil, extraIndexURLs: [String] = [], findLinks: [String] = [], noIndex: Bool = false) {
        self.indexURL = indexURL
        self.extraIndexURLs = extraIndexURLs
        self.findLinks = findLinks
        self.noIndex = noIndex
    }

    /// The options for an installer process: index and find-links URLs, which may carry
    /// credentials, in its environment (private to the user, where a command line is not:
    /// anyone can read /proc/PID/cmdline), and `--no-index` as an argument.
    public func installerSettings(uv: Bool) -> (arguments: [String], environment: [String: String]) {
        var environment: [String: String] = [:]
        let prefix = uv ? "UV_" : "PIP_"
        if let indexURL { environment[prefix + "INDEX_URL"] = indexURL }
        if !extraIndexURLs.isEmpty { environment[prefix + "EXTRA_INDEX_URL"] = extraIndexURLs.joined(separator: " ") }
        if !findLinks.isEmpty { environment[prefix + "FIND_LINKS"] = findLinks.joined(separator: uv ? "," : " ") }
        return (noIndex ? ["--no-index"] : [], environment)
    }

    /// pip's default index.
    public static let defaultIndex = "https://pypi.org/simple/"

    /// The indexes to ask, in order.
    public var indexes: [String] {
        noIndex ? [] : [indexURL ?? IndexOptions.defaultIndex] + extraIndexURLs
    }

    /// The options as pip's arguments: what identifies a build environment (never run).
    public var pipArguments: [String] {
        var args: [String] = []
        if let indexURL { args += ["--index-url", indexURL] }
        for url in extraIndexURLs { args += ["--extra-index-url", url] }
        for link in findLinks { args += ["--find-links", link] }
        if noIndex { args.append("--no-index") }
        // The constraints' lines, not their files' paths: the same limits share an environment.
        args += Set(constraints).sorted().map { "--constraint=" + $0 }
        for name in constraintHashes.keys.sorted() {
            args += Set(constraintHashes[name]!).sorted().map { "--constraint-hash=\(name):\($0)" }
        }
        return args
    }
}
