import ArgumentParser
import WheelStore

extension CacheCommand {
    /// `wheelcache cache info`: where, how big, how well it is doing.
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info", abstract: "Show the cache's location, size per bucket, entries and hit statistics.")

        @OptionGroup var options: CacheSubcommandOptions

        @Flag(name: .customLong("zero-stats"), help: "After showing them, reset the hit/miss/build counters.")
        var zeroStats = false

        func run() throws {
            let admin = try options.admin()
            let report = admin.info()
            if options.json {
                options.printJSON(report)
            } else {
                print(render(report))
            }
            if zeroStats, admin.resetStatistics(), !options.json { print("Statistics zeroed.") }
        }

        private func render(_ report: InfoReport) -> String {
            var lines = ["Cache location: \(report.root)",
                         "Wheel entries: \(report.entries)",
                         "Git mirrors: \(report.gitMirrors)",
                         "Build environments: \(report.buildEnvironments)"]
            var other = (files: 0, bytes: Int64(0))
            for bucket in report.buckets {
                guard let title = bucket.kind?.title else {
                    other = (other.files + bucket.files, other.bytes + bucket.bytes)
                    continue
                }
                lines.append("\(title) (\(bucket.name)): \(ByteSize.format(bucket.bytes)) in \(bucket.files) files")
            }
            lines.append("Other (tag, locks, statistics): \(ByteSize.format(other.bytes)) in \(other.files) files")
            lines.append("Total size: \(ByteSize.format(report.totalBytes))")
            let s = report.statistics
            lines.append("Statistics since \(s.since): \(s.hitRate)")
            lines.append("  hits: \(s.hits), misses: \(s.misses), builds stored: \(s.builds), failed builds: \(s.failures), uncached builds: \(s.uncached), corrupt entries evicted: \(s.corrupt), wheels downloaded: \(s.downloads)")
            lines.append("  remote: hits \(s.remoteHits), misses \(s.remoteMisses), errors \(s.remoteErrors)")
            return lines.joined(separator: "\n")
        }
    }
}
