import ArgumentParser
import FoundationEssentials
import WheelCache
import WheelStore
import WheelSystem

/// The sources and how to build them: shared by `build` and `plan`, so a plan is made from
/// exactly what the build would be given.
struct SourceOptions: ParsableArguments {
    @Argument(help: "sdists, project folders, URLs, git URLs, or name==version pins")
    var sources: [String] = []

    @Option(name: [.short, .customLong("requirement")], help: "Every line of this requirements file (repeatable).")
    var requirement: [String] = []

    @OptionGroup var cache: CacheOptions

    @Option(name: .customLong("no-binary"), help: "Rebuild these projects instead of using cached or index wheels: :all:, :none:, or NAME[,NAME].")
    var noBinary: [String] = []

    @Option(help: "The target Python interpreter (default: $WHEELCACHE_PYTHON, else python3 on PATH).")
    var python: String?

    @Flag(name: .customLong("no-build-isolation"), help: "Build with the target interpreter's packages instead of a fresh environment.")
    var noBuildIsolation = false

    @Option(name: [.customShort("i"), .customLong("index-url")], help: "Package index for pins and build requirements (default: https://pypi.org/simple/).")
    var indexURL: String?

    @Option(name: .customLong("extra-index-url"), help: "Another package index, after --index-url (repeatable).")
    var extraIndexURL: [String] = []

    @Option(name: [.customShort("f"), .customLong("find-links")], help: "A folder of distributions for pins and build requirements (repeatable).")
    var findLinks: [String] = []

    @Flag(name: .customLong("no-index"), help: "Use no package index (only --find-links).")
    var noIndex = false

    @Option(name: [.customShort("C"), .customLong("config-setting")], help: "A KEY=VALUE setting passed to the build backend.")
    var configSetting: [String] = []

    @Option(help: "A shared remote cache: s3://BUCKET/PREFIX or http(s)://HOST/PATH/ (default: $WHEELCACHE_REMOTE).")
    var remote: String?

    @Option(name: .customLong("remote-endpoint"), help: "An S3-compatible server for s3:// remotes, path-style (default: $AWS_ENDPOINT_URL).")
    var remoteEndpoint: String?

    @Flag(name: .customLong("remote-write"), help: "Upload new builds to the remote (default: read-only; $WHEELCACHE_REMOTE_WRITE=1).")
    var remoteWrite = false

    func validate() throws {
        if let problem = BuildArguments.sourceProblem(sources: sources, requirement: requirement, findLinks: findLinks,
                                                      noBinary: noBinary, configSetting: configSetting) {
            throw ValidationError(problem)
        }
    }
}

extension BuildArguments {
    /// The sources and build options; the rest as `build` leaves them by default.
    init(_ inputs: SourceOptions) {
        self.init(sources: inputs.sources, requirement: inputs.requirement, cacheDir: inputs.cache.cacheDir,
                  noCacheDir: inputs.cache.noCacheDir, noBinary: inputs.noBinary, python: inputs.python,
                  noBuildIsolation: inputs.noBuildIsolation, indexURL: inputs.indexURL,
                  extraIndexURL: inputs.extraIndexURL, findLinks: inputs.findLinks, noIndex: inputs.noIndex,
                  configSetting: inputs.configSetting, remote: inputs.remote, remoteEndpoint: inputs.remoteEndpoint,
                  remoteWrite: inputs.remoteWrite)
    }
}

/// `wheelcache build`: a wheel for each source, from the cache when it can be.
struct Build: ParsableCommand {
    // Named here: otherwise the parser derives the name from the type at run time, which
    // costs a hit about a millisecond.
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build wheels for sdists, git commits, URLs, pins and project folders, using the cache.",
        discussion: """
            Each SOURCE is an sdist (.tar.gz or .zip, any file name), a project folder, an http(s) or \
            file URL, a git URL (git+https://…@REV), or a name==version pin looked up on the index. \
            Sdists are cached by the SHA-256 of their bytes, git sources by commit; folders are built \
            every time and never cached. -r reads pip requirements files. \
            Unlike pip, --no-binary here means: do not take the wheel from the cache, build it again \
            and replace the cached one.
            """)

    @OptionGroup var inputs: SourceOptions

    @Option(name: [.short, .customLong("wheel-dir")], help: "Where to put the wheels (default: the current folder).")
    var wheelDir: String = "."

    @Option(name: [.short, .customLong("jobs")], help: "Work on this many sources at once (default: the number of CPUs).")
    var jobs: Int?

    @Option(name: .customLong("max-size"), help: "After storing, prune the cache to at most SIZE (500M, 5G; default: $WHEELCACHE_MAX_SIZE).")
    var maxSize: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let problem = BuildArguments.buildProblem(maxSize: maxSize, jobs: jobs) { throw ValidationError(problem) }
    }

    /// The parsed values, as `QuickBuildParser` would give them.
    var arguments: BuildArguments {
        var arguments = BuildArguments(inputs)
        arguments.wheelDir = wheelDir
        arguments.jobs = jobs
        arguments.maxSize = maxSize
        arguments.output = output.mode
        return arguments
    }

    func run() throws {
        try arguments.run()
    }
}

/// `wheelcache plan`: what `build` would do with each source, and why, without building.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what build would do for each source (key, cacheable or not and why, hit or miss), without building or downloading sdists.")

    @OptionGroup var inputs: SourceOptions

    @Flag(help: "Print one JSON object instead of lines.")
    var json = false

    func run() throws {
        let request = try BuildArguments(inputs).request(wheelDirectory: ".")
        let report = BuildPipeline(request: request, notice: { Console.error($0) }).plan()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(report) { StandardStreams.output(data + Data("\n".utf8)) }
        } else {
            for entry in report.plan {
                let action = entry.action.rawValue.padded(to: 15)
                var line = "\(action)\(entry.source)"
                if let name = entry.name { line += " (\(name) \(entry.version ?? ""))" }
                if let resolved = entry.resolvedFrom, let commit = entry.commit { line += " [\(resolved) -> \(commit)]" }
                line += "\n               " + entry.reason
                if let key = entry.key { line += "; key \(key)" }
                if entry.action == .fail { Console.error("error: " + entry.reason) } else { print(line) }
            }
        }
        throw ExitCode(report.exitCode)
    }
}
