import ArgumentParser

/// `wheelcache cache`: inspect and manage the cache, as `pip cache` does, plus prune and verify.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect and manage the cache.",
        subcommands: [Dir.self, Info.self, List.self, Remove.self, Purge.self, Prune.self, Verify.self])
}
