import ArgumentParser
import Foundation

/// `wheelcache cache`: inspect and manage the cache, as `pip cache` does.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect and manage the cache.",
        subcommands: [CacheDir.self])
}

/// `wheelcache cache dir`: the active cache root.
struct CacheDir: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dir", abstract: "Print the cache folder.")

    @OptionGroup var cache: CacheOptions

    func run() throws {
        guard let root = cache.root(environment: ProcessInfo.processInfo.environment) else {
            Console.error("error: the cache is turned off (--no-cache-dir or WHEELCACHE_NO_CACHE_DIR)")
            throw ExitCode(2)
        }
        print(root)
    }
}
