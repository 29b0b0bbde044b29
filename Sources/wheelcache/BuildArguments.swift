import ArgumentParser
import FoundationEssentials
import WheelCache
import WheelStore

/// What `build` was asked to do, as plain values: made by argument-parser (`Build.arguments`)
/// or, for the common spellings, by `QuickBuildParser`, and run the same way either way.
struct BuildArguments: Equatable {
    var sources: [String] = []
    var requirement: [String] = []
    var cacheDir: String?
    var noCacheDir = false
    var noBinary: [String] = []
    var python: String?
    var noBuildIsolation = false
    var indexURL: String?
    var extraIndexURL: [String] = []
    var findLinks: [String] = []
    var noIndex = false
    var requireHashes = false
    var onlyBinary: [String] = []
    var buildConstraint: [String] = []
    var configSetting: [String] = []
    var remote: String?
    var remoteEndpoint: String?
    var remoteWrite = false
    var wheelDir = "."
    var requirementsOut: String?
    var pylockOut: String?
    var jobs: Int?
    var maxSize: String?
    var output = OutputMode()

    /// The first reason argument-parser's validation would refuse these, or nil. The option
    /// groups' `validate()` throw exactly these, so both parsers accept the same arguments.
    var problem: String? {
        if let problem = Self.cacheProblem(cacheDir: cacheDir, noCacheDir: noCacheDir) { return problem }
        if let problem = Self.sourceProblem(sources: sources, requirement: requirement, findLinks: findLinks,
                                            noBinary: noBinary, configSetting: configSetting,
                                            onlyBinary: onlyBinary) { return problem }
        if let problem = Self.buildProblem(maxSize: maxSize, jobs: jobs) { return problem }
        return output.problem
    }

    static func cacheProblem(cacheDir: String?, noCacheDir: Bool) -> String? {
        cacheDir != nil && noCacheDir ? "--cache-dir and --no-cache-dir cannot be used together" : nil
    }

    static func sourceProblem(sources: [String], requirement: [String], findLinks: [String],
                              noBinary: [String], configSetting: [String], onlyBinary: [String] = []) -> String? {
        if sources.isEmpty && requirement.isEmpty {
            return "no sources given; pass an sdist, a project folder, a URL, a pin, or -r requirements.txt"
        }
        if findLinks.contains(where: { $0.contains("://") }) {
            return "--find-links takes a local folder; put an index URL in --index-url or --extra-index-url"
        }
        return BuildRequest.problem(noBinary: noBinary, configSettings: configSetting, onlyBinary: onlyBinary)
    }

    static func buildProblem(maxSize: String?, jobs: Int?) -> String? {
        if let maxSize, ByteSize.parse(maxSize) == nil { return "--max-size '\(maxSize)' is not a size such as 500M or 5G" }
        if let jobs, jobs < 1 { return "--jobs must be at least 1" }
        return nil
    }

    /// The library's request; `wheelDirectory` and `maxSize` as given by the command.
    func request(wheelDirectory: String, maxSize: Int64? = nil, jobs: Int? = 1,
                 environment: [String: String] = ProcessInfo.processInfo.environment) throws -> BuildRequest {
        var request = try BuildRequest(
            // A URL stays as written (and is refused, redacted, when the files are read).
            sources: sources, requirementFiles: requirement.map { $0.contains("://") ? $0 : CacheLocation.absolute($0) },
            wheelDirectory: CacheLocation.absolute(wheelDirectory),
            cacheRoot: CacheOptions.root(cacheDir: cacheDir, noCacheDir: noCacheDir, environment: environment),
            noBinary: noBinary, python: python, configSettings: configSetting, isolation: !noBuildIsolation,
            indexURL: indexURL, extraIndexURLs: extraIndexURL, findLinks: findLinks.map(CacheLocation.absolute),
            noIndex: noIndex, environment: environment, maxSize: maxSize, jobs: jobs, remote: remoteSettings(environment),
            onlyBinary: onlyBinary)
        request.requireHashes = requireHashes
        request.buildConstraints = buildConstraint.map(CacheLocation.absolute)
        request.requirementsOut = requirementsOut.map(CacheLocation.absolute)
        request.pylockOut = pylockOut.map(CacheLocation.absolute)
        return request
    }

    private func remoteSettings(_ environment: [String: String]) -> RemoteSettings? {
        guard let url = remote ?? environment["WHEELCACHE_REMOTE"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        let write = remoteWrite || ["1", "true", "yes", "on"].contains((environment["WHEELCACHE_REMOTE_WRITE"] ?? "").lowercased())
        return RemoteSettings(url: url, endpoint: remoteEndpoint, write: write)
    }

    /// `wheelcache build`: throws `ExitCode` with the report's status.
    func run() throws {
        // Read once: it is a copy of the whole environment each time, on the hit path.
        let environment = ProcessInfo.processInfo.environment
        let limit = try CacheOptions.maxSize(maxSize, environment: environment)
        let request = try request(wheelDirectory: wheelDir, maxSize: limit, jobs: jobs, environment: environment)
        let live = LiveProgress(renderer: ReportRenderer(output: output))
        let report = BuildPipeline(request: request, notice: { live.notice($0) }).run(progress: live.progress)
        live.finish(report)
        throw ExitCode(report.exitCode)
    }
}

/// `--json`, `-q` and `-v` as plain values.
struct OutputMode: Equatable {
    var json = false
    var quiet = false
    var verbose = false

    var problem: String? { quiet && verbose ? "--quiet and --verbose cannot be used together" : nil }
}

/// Reads `build`'s arguments without argument-parser, whose set-up (reflecting over every
/// option of the command tree) cost a cache hit about 3 ms, a third of it. It takes only the
/// plain spellings: `--name VALUE`, `--name=VALUE`, `-x VALUE`, flags, and sources that do not
/// start with `-`; a separate value must not start with `-`, an attached one not be empty;
/// each option at most once (lists repeatable); and only arguments that pass validation. For
/// anything else it returns nil and argument-parser does the work, help and error messages
/// included. A test checks both parsers agree and that every option of `build` is listed here.
enum QuickBuildParser {
    enum Kind { case flag, value, list }

    /// Every option of `build`: its names and where its value goes.
    static let options: [(names: [String], kind: Kind, set: @Sendable (inout BuildArguments, String) -> Bool)] = [
        (["-r", "--requirement"], .list, { $0.requirement.append($1); return true }),
        (["--cache-dir"], .value, { $0.cacheDir = $1; return true }),
        (["--no-cache-dir"], .flag, { a, _ in a.noCacheDir = true; return true }),
        (["--no-binary"], .list, { $0.noBinary.append($1); return true }),
        (["--only-binary"], .list, { $0.onlyBinary.append($1); return true }),
        (["--build-constraint"], .list, { $0.buildConstraint.append($1); return true }),
        (["--python"], .value, { $0.python = $1; return true }),
        (["--no-build-isolation"], .flag, { a, _ in a.noBuildIsolation = true; return true }),
        (["-i", "--index-url"], .value, { $0.indexURL = $1; return true }),
        (["--extra-index-url"], .list, { $0.extraIndexURL.append($1); return true }),
        (["-f", "--find-links"], .list, { $0.findLinks.append($1); return true }),
        (["--no-index"], .flag, { a, _ in a.noIndex = true; return true }),
        (["--require-hashes"], .flag, { a, _ in a.requireHashes = true; return true }),
        (["-C", "--config-setting"], .list, { $0.configSetting.append($1); return true }),
        (["--remote"], .value, { $0.remote = $1; return true }),
        (["--remote-endpoint"], .value, { $0.remoteEndpoint = $1; return true }),
        (["--remote-write"], .flag, { a, _ in a.remoteWrite = true; return true }),
        (["-w", "--wheel-dir"], .value, { $0.wheelDir = $1; return true }),
        (["--requirements-out"], .value, { $0.requirementsOut = $1; return true }),
        (["--pylock-out"], .value, { $0.pylockOut = $1; return true }),
        (["-j", "--jobs"], .value, { a, text in
            guard let jobs = Int(text) else { return false }
            a.jobs = jobs
            return true
        }),
        (["--max-size"], .value, { $0.maxSize = $1; return true }),
        (["--json"], .flag, { a, _ in a.output.json = true; return true }),
        (["-q", "--quiet"], .flag, { a, _ in a.output.quiet = true; return true }),
        (["-v", "--verbose"], .flag, { a, _ in a.output.verbose = true; return true }),
    ]

    /// The arguments after `build`, or nil to leave them to argument-parser.
    static func parse<Arguments: Collection<String>>(_ arguments: Arguments) -> BuildArguments? {
        var result = BuildArguments()
        var seen = Set<Int>()
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            guard argument.hasPrefix("-") else {
                result.sources.append(argument)
                continue
            }
            var name = argument
            var attached: String?
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                attached = String(argument[argument.index(after: equals)...])
            }
            guard let index = options.firstIndex(where: { $0.names.contains(name) }) else { return nil }
            let option = options[index]
            if option.kind != .list && !seen.insert(index).inserted { return nil }
            let value: String
            if option.kind == .flag {
                guard attached == nil else { return nil }
                value = ""
            } else if let attached {
                guard !attached.isEmpty else { return nil }
                value = attached
            } else {
                guard let next = iterator.next(), !next.hasPrefix("-") else { return nil }
                value = next
            }
            guard option.set(&result, value) else { return nil }
        }
        return result.problem == nil ? result : nil
    }
}
