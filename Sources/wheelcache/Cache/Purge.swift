import ArgumentParser
import WheelStore

extension CacheCommand {
    /// `wheelcache cache purge`.
    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "purge", abstract: "Remove everything the cache holds (the folder and its statistics stay).")

        @OptionGroup var options: CacheSubcommandOptions

        func run() throws {
            let report = try options.existingCache().purge()
            if options.json {
                options.printJSON(report)
            } else {
                print("Files removed: \(report.files) (\(ByteSize.format(report.bytes)))")
            }
        }
    }
}
