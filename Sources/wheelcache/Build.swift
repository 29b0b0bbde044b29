import ArgumentParser
import FoundationEssentials
import WheelCache
import WheelStore
import WheelSystem

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
            Unlike pip, --no-binary on this command line means: do not take the wheel from the cache \
            (local or remote), build it again and replace the cached one. Inside a requirements file \
            --no-binary and --only-binary mean what pip means: build these pins from their sdists (the \
            build is cached); take only wheels of those. --only-binary on the command line is pip's too.
            """)

    @OptionGroup var inputs: SourceOptions

    @Option(name: [.short, .customLong("wheel-dir")], help: "Where to put the wheels (default: the current folder).")
    var wheelDir: String = "."

    @Option(name: .customLong("requirements-out"), help: ArgumentHelp("After a run where every source produced a wheel, write a requirements file pinning the delivered wheels by hash (for pip install --no-index --require-hashes -f WHEEL_DIR -r FILE, or uv pip install --offline).", valueName: "file"))
    var requirementsOut: String?

    @Option(name: .customLong("pylock-out"), help: ArgumentHelp("The same as a PEP 751 pylock.toml, its wheels by paths relative to the file.", valueName: "file"))
    var pylockOut: String?

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
        arguments.requirementsOut = requirementsOut
        arguments.pylockOut = pylockOut
        arguments.jobs = jobs
        arguments.maxSize = maxSize
        arguments.output = output.mode
        return arguments
    }

    func run() throws {
        try arguments.run()
    }
}
