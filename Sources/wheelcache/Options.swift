import ArgumentParser
import FoundationEssentials
import WheelStore

/// `--cache-dir` and `--no-cache-dir`, shared by every command that touches the cache.
struct CacheOptions: ParsableArguments {
    @Option(name: .customLong("cache-dir"), help: "The cache folder (default: $WHEELCACHE_CACHE_DIR, $XDG_CACHE_HOME/wheelcache, ~/.cache/wheelcache).")
    var cacheDir: String?

    @Flag(name: .customLong("no-cache-dir"), help: "Build without a persistent cache.")
    var noCacheDir = false

    func validate() throws {
        if let problem = BuildArguments.cacheProblem(cacheDir: cacheDir, noCacheDir: noCacheDir) {
            throw ValidationError(problem)
        }
    }

    /// The active cache root, or exit 2 when the cache is turned off.
    func root() throws -> String {
        guard let root = root(environment: ProcessInfo.processInfo.environment) else {
            Console.error("error: the cache is turned off (--no-cache-dir or WHEELCACHE_NO_CACHE_DIR); pass --cache-dir to choose one")
            throw ExitCode(2)
        }
        return root
    }

    /// `--max-size`, else `WHEELCACHE_MAX_SIZE` (already validated flags; a bad variable exits 2).
    static func maxSize(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int64? {
        if let flag { return ByteSize.parse(flag) }
        guard let text = environment["WHEELCACHE_MAX_SIZE"], !text.isEmpty else { return nil }
        guard let parsed = ByteSize.parse(text) else {
            Console.error("error: WHEELCACHE_MAX_SIZE='\(text)' is not a size such as 500M or 5G")
            throw ExitCode(2)
        }
        return parsed
    }

    /// The active cache root, or nil when the cache is off.
    func root(environment: [String: String]) -> String? {
        Self.root(cacheDir: cacheDir, noCacheDir: noCacheDir, environment: environment)
    }

    static func root(cacheDir: String?, noCacheDir: Bool, environment: [String: String]) -> String? {
        if noCacheDir || (cacheDir == nil && CacheLocation.disabledByEnvironment(environment)) { return nil }
        return CacheLocation.resolve(explicit: cacheDir, environment: environment)
    }
}

/// `--json`, `-q` and `-v`.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON report on stdout instead of lines.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print more: cache keys, log locations.")
    var verbose = false

    var mode: OutputMode { OutputMode(json: json, quiet: quiet, verbose: verbose) }

    func validate() throws {
        if let problem = mode.problem { throw ValidationError(problem) }
    }
}

/// Writes to stderr, line by line.
enum Console {
    static func error(_ text: String) {
        StandardStreams.error(text + "\n")
    }
}
