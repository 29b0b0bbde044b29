import ArgumentParser
import FoundationEssentials
import WheelStore

/// Options and helpers every `cache` subcommand shares.
struct CacheSubcommandOptions: ParsableArguments {
    @OptionGroup var cache: CacheOptions

    @Flag(help: "Print JSON instead of lines.")
    var json = false

    /// The active cache, which may not exist yet (for commands that only read).
    func admin() throws -> CacheAdmin {
        CacheAdmin(root: try cache.root(), waiting: Self.waiting)
    }

    /// An existing wheelcache cache; commands that remove refuse anything else (exit 2).
    func existingCache() throws -> CacheAdmin {
        let root = try cache.root()
        do {
            return try CacheAdmin.open(root: root, waiting: Self.waiting)
        } catch {
            Console.error("error: \(error)")
            throw ExitCode(2)
        }
    }

    /// Said while builds in progress hold the cache lock.
    static let waiting: @Sendable () -> Void = {
        Console.error("waiting for wheelcache processes using the cache to finish…")
    }

    func printJSON(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        if let data = try? encoder.encode(value) { StandardStreams.output(data + Data("\n".utf8)) }
    }
}
