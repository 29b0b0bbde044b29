import ArgumentParser

extension CacheCommand {
    /// `wheelcache cache dir`: the active cache root.
    struct Dir: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "dir", abstract: "Print the cache folder.")

        @OptionGroup var cache: CacheOptions

        func run() throws {
            print(try cache.root())
        }
    }
}
