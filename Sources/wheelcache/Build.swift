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
            Each SOURCE is an sdist (.tar.gz or .zip, any file name) or a project folder. Sdists are \
            cached by the SHA-256 of their bytes; folders are built every time and never cached. \
            Unlike pip, --no-binary here means: do not take the wheel from the cache, build it again \
            and replace the cached one.
            """)

    @Argument(help: "sdist archives or project folders")
    var sources: [String] = []

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
        if sources.isEmpty { throw ValidationError("no sources given; pass an sdist or a project folder") }
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
            wheelDirectory: CacheLocation.absolute(wheelDir),
            cacheRoot: cache.root(environment: environment),
            noBinary: try PackageSelector(arguments: noBinary),
            python: python,
            options: BuildOptions(configSettings: try BuildOptions.parseConfigSettings(configSetting),
                                  isolation: !noBuildIsolation),
            index: IndexOptions(indexURL: indexURL, findLinks: findLinks.map(CacheLocation.absolute), noIndex: noIndex),
            environment: environment,
            maxSize: limit)
        let report = BuildPipeline(request: request, notice: { Console.error($0) }).run()
        ReportRenderer(output: output).render(report)
        throw ExitCode(report.exitCode)
    }
}
