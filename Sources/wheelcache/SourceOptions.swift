import ArgumentParser
import FoundationEssentials
import WheelCache
import WheelStore

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

    @Option(name: .customLong("build-constraint"), help: ArgumentHelp("Constrain the versions of every build environment to this file's requirements, as pip's --build-constraint (repeatable; default: $PIP_BUILD_CONSTRAINT).", valueName: "file"))
    var buildConstraint: [String] = []

    @Option(name: .customLong("only-binary"), help: "Take pins of these projects only as wheels, never building their sdists: :all:, :none:, or NAME[,NAME]. In a requirements file --no-binary means pip's: build from the sdist.")
    var onlyBinary: [String] = []

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

    @Flag(name: .customLong("require-hashes"), help: "Every requirements-file line must carry a hash (on already when any line has --hash, as in pip).")
    var requireHashes = false

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
                                                      noBinary: noBinary, configSetting: configSetting,
                                                      onlyBinary: onlyBinary) {
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
                  requireHashes: inputs.requireHashes, onlyBinary: inputs.onlyBinary,
                  buildConstraint: inputs.buildConstraint,
                  configSetting: inputs.configSetting, remote: inputs.remote, remoteEndpoint: inputs.remoteEndpoint,
                  remoteWrite: inputs.remoteWrite)
    }
}
