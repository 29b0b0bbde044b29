import ArgumentParser
import Foundation
import WheelStore

/// `--cache-dir` and `--no-cache-dir`, shared by every command that touches the cache.
struct CacheOptions: ParsableArguments {
    @Option(name: .customLong("cache-dir"), help: "The cache folder (default: $WHEELCACHE_CACHE_DIR, $XDG_CACHE_HOME/wheelcache, ~/.cache/wheelcache).")
    var cacheDir: String?

    @Flag(name: .customLong("no-cache-dir"), help: "Build without a persistent cache.")
    var noCacheDir = false

    func validate() throws {
        if cacheDir != nil && noCacheDir {
            throw ValidationError("--cache-dir and --no-cache-dir cannot be used together")
        }
    }

    /// The active cache root, or nil when the cache is off.
    func root(environment: [String: String]) -> String? {
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

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose cannot be used together") }
    }
}

/// Writes to stderr, line by line.
enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
