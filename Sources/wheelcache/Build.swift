import ArgumentParser
import Foundation
import WheelBuild
import WheelCache
import WheelModel
import WheelStore

/// `wheelcache build`: a wheel for each source, from the cache when it can be.
struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build wheels for sdists and project folders, using the cache.",
        discussion: """
            Each SOURCE is an sdist (.tar.gz or .zip, any file name), a project folder, an http(s) or \
            file URL, a git URL (git+https://…@REV), or a name==version pin looked up on the index. \
            Sdists are cached by the SHA-256 of their bytes, git sources by commit; folders are built \
            every time and never cached. -r reads pip requirements files. \
            Unlike pip, --no-binary here means: do not take the wheel from the cache, build it again \
            and replace the cached one.
            """)

    @Argument(help: "sdists, project folders, URLs, git URLs, or name==version pins")
    var sources: [String] = []

    @Option(name: [.short, .customLong("requirement")], help: "Build every line of this requirements file (repeatable).")
    var requirement: [String] = []

    @Option(name: [.short, .customLong("jobs")], help: "Work on this many sources at once (default: the number of CPUs).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: [.short, .customLong("wheel-dir")], help: "Where to put the wheels (default: the current folder).")
    var wheelDir: String = "."

    @OptionGroup var cache: CacheOptions

    @Option(name: .customLong("no-binary"), help: "Rebuild these projects instead of using cached wheels: :all:, :none:, or NAME[,NAME].")
    var noBinary: [String] = []

    @Option(help: "The target Python interpreter (default: $WHEELCACHE_PYTHON, else python3 on PATH).")
    var python: String?

    @Flag(name: .customLong("no-build-isolation"), help: "Build with the target interpreter's packages instead of a fresh environment.")
    var noBuildIsolation = false

    @Option(name: .customLong("index-url"), help: "Package index for build requirements (passed to pip).")
    var indexURL: String?

    @Option(name: .customLong("extra-index-url"), help: "Another package index, after --index-url (repeatable).")
    var extraIndexURL: [String] = []

    @Option(name: .customLong("find-links"), help: "A folder or page of distributions for build requirements (passed to pip).")
    var findLinks: [String] = []

    @Flag(name: .customLong("no-index"), help: "Do not use a package index for build requirements.")
    var noIndex = false

    @Option(name: [.customShort("C"), .customLong("config-setting")], help: "A KEY=VALUE setting passed to the build backend.")
    var configSetting: [String] = []

    @Option(name: .customLong("max-size"), help: "After storing, prune the cache to at most SIZE (500M, 5G; default: $WHEELCACHE_MAX_SIZE).")
    var maxSize: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let maxSize, ByteSize.parse(maxSize) == nil { throw ValidationError("--max-size '\(maxSize)' is not a size such as 500M or 5G") }
        if sources.isEmpty && requirement.isEmpty { throw ValidationError("no sources given; pass an sdist, a project folder, a URL, a pin, or -r requirements.txt") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        do { _ = try PackageSelector(arguments: noBinary) } catch { throw ValidationError("--no-binary: \(error)") }
        do { _ = try BuildOptions.parseConfigSettings(configSetting) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var limit = maxSize.flatMap(ByteSize.parse)
        if maxSize == nil, let fromEnvironment = environment["WHEELCACHE_MAX_SIZE"], !fromEnvironment.isEmpty {
            guard let parsed = ByteSize.parse(fromEnvironment) else {
                Console.error("error: WHEELCACHE_MAX_SIZE='\(fromEnvironment)' is not a size such as 500M or 5G")
                throw ExitCode(2)
            }
            limit = parsed
        }
        let request = BuildRequest(
            sources: sources,
            requirementFiles: requirement.map(CacheLocation.absolute),
            wheelDirectory: CacheLocation.absolute(wheelDir),
            cacheRoot: cache.root(environment: environment),
            noBinary: try PackageSelector(arguments: noBinary),
            python: python,
            options: BuildOptions(configSettings: try BuildOptions.parseConfigSettings(configSetting),
                                  isolation: !noBuildIsolation),
            index: IndexOptions(indexURL: indexURL, extraIndexURLs: extraIndexURL,
                                findLinks: findLinks.map(CacheLocation.absolute), noIndex: noIndex),
            environment: environment,
            maxSize: limit,
            jobs: jobs)
        let renderer = ReportRenderer(output: output)
        let live = LiveProgress(renderer: renderer)
        let report = BuildPipeline(request: request, notice: { live.notice($0) }).run(progress: live.progress)
        live.finish(report)
        throw ExitCode(report.exitCode)
    }
}
