import ArgumentParser
import WheelStore

extension CacheCommand {
    /// `wheelcache cache prune`.
    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract: "Remove litter (dead runs' staging), then least recently used entries beyond a size or an age.",
            discussion: "SIZE: bytes or 500M, 5G (powers of 1000), 5GiB (powers of 1024). DURATION: 45s, 90m, 12h, 30d, 2w. A hit counts as a use. Without --max-size, $WHEELCACHE_MAX_SIZE applies if set.")

        @Option(name: .customLong("max-size"), help: "Remove least recently used entries until the cache is at most SIZE.")
        var maxSize: String?

        @Option(name: .customLong("max-age"), help: "Remove entries not used for longer than DURATION.")
        var maxAge: String?

        @Flag(name: .customLong("dry-run"), help: "Show what would be removed, remove nothing.")
        var dryRun = false

        @OptionGroup var options: CacheSubcommandOptions

        func validate() throws {
            if let maxSize, ByteSize.parse(maxSize) == nil { throw ValidationError("--max-size '\(maxSize)' is not a size such as 500M or 5G") }
            if let maxAge, TimeSpan.parse(maxAge) == nil { throw ValidationError("--max-age '\(maxAge)' is not a duration such as 12h or 30d") }
        }

        func run() throws {
            let admin = try options.existingCache()
            let limit = try CacheOptions.maxSize(maxSize)
            let report = try admin.prune(maxSize: limit, maxAge: maxAge.flatMap(TimeSpan.parse), dryRun: dryRun)
            if options.json {
                options.printJSON(report)
            } else {
                print(render(report))
            }
        }

        private func render(_ report: PruneReport) -> String {
            // A dry run lists what it would remove.
            var lines = report.dryRun ? report.removed.map { " - \($0.label) (\(ByteSize.format($0.bytes)))" } : []
            let verb = report.dryRun ? "Would remove" : "Removed"
            let entries = report.entriesRemoved
            let after = report.dryRun ? report.sizeBefore - report.freedBytes : report.sizeAfter
            lines.append("\(verb) \(entries) entries and \(report.removed.count - entries) other items: \(ByteSize.format(report.freedBytes)); cache size \(ByteSize.format(report.sizeBefore)) -> \(ByteSize.format(after))")
            return lines.joined(separator: "\n")
        }
    }
}
