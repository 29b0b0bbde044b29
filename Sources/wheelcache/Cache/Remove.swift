import ArgumentParser
import WheelStore

extension CacheCommand {
    /// `wheelcache cache remove PATTERN`.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove cached wheels whose project (and version) match PATTERN.")

        @Argument(help: "A project name glob, optionally with -VERSION.")
        var pattern: String

        @OptionGroup var options: CacheSubcommandOptions

        func run() throws {
            let report = try options.existingCache().remove(matching: pattern)
            if options.json {
                options.printJSON(report)
                return
            }
            if report.removed.isEmpty { Console.error("warning: no cached wheels match '\(pattern)'") }
            print("Files removed: \(report.removed.count) (\(ByteSize.format(report.freedBytes)))")
        }
    }
}
