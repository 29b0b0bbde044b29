import ArgumentParser
import FoundationEssentials
import WheelStore

/// `wheelcache cache`: inspect and manage the cache, as `pip cache` does, plus prune and verify.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect and manage the cache.",
        subcommands: [CacheDir.self, CacheInfo.self, CacheList.self, CacheRemove.self, CachePurge.self,
                      CachePrune.self, CacheVerify.self])
}

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

/// `wheelcache cache dir`: the active cache root.
struct CacheDir: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dir", abstract: "Print the cache folder.")

    @OptionGroup var cache: CacheOptions

    func run() throws {
        print(try cache.root())
    }
}

/// `wheelcache cache info`: where, how big, how well it is doing.
struct CacheInfo: ParsableCommand {
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

/// `wheelcache cache list [PATTERN]`: the cached wheels, sorted.
struct CacheList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List cached wheels, optionally those whose project (and version) match PATTERN.",
        discussion: "PATTERN is a glob over the PEP 503-normalized project name, optionally followed by -VERSION: 'requests', 'req*', 'my-pkg-1.*'.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case human, abspath, json
    }

    @Argument(help: "A project name glob, optionally with -VERSION.")
    var pattern: String?

    @Option(help: "human (default), abspath (one wheel path per line) or json.")
    var format: Format = .human

    @OptionGroup var options: CacheSubcommandOptions

    func run() throws {
        let report = try options.admin().list(matching: pattern)
        let entries = report.entries
        switch options.json ? .json : format {
        case .json:
            options.printJSON(report)
        case .abspath:
            for entry in entries { print(entry.path ?? entry.folder) }
        case .human:
            if entries.isEmpty {
                print(pattern == nil ? "No locally built wheels cached." : "No locally built wheels match '\(pattern!)'.")
                return
            }
            print("Cache contents:\n")
            for entry in entries {
                print(" - \(entry.wheel ?? "?") (\(ByteSize.format(entry.bytes)), key \(entry.key.prefix(12)))")
            }
        }
    }
}

/// `wheelcache cache remove PATTERN`.
struct CacheRemove: ParsableCommand {
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

/// `wheelcache cache purge`.
struct CachePurge: ParsableCommand {
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

/// `wheelcache cache prune`.
struct CachePrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove litter and old bucket versions, then least recently used entries beyond a size or an age.",
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
            return
        }
        print(render(report))
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

/// `wheelcache cache verify`.
struct CacheVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every entry: its manifest, its wheel's SHA-256, and a full wheel validation. Exit 1 if any is bad.")

    @Flag(help: "Remove the bad entries.")
    var repair = false

    @OptionGroup var options: CacheSubcommandOptions

    func run() throws {
        let report = try options.admin().verify(repair: repair)
        if options.json {
            options.printJSON(report)
        } else {
            print(render(report))
        }
        if !report.bad.isEmpty { throw ExitCode(1) }
    }

    private func render(_ report: VerifyReport) -> String {
        guard report.cacheExists else { return "Checked 0 entries: the cache is empty." }
        var lines = report.bad.map { problem in
            let what = [problem.name, problem.version].compactMap { $0 }.joined(separator: " ")
            return "bad      \(what.isEmpty ? "?" : what) (key \(problem.key)): \(problem.reason)\(report.repaired ? " [removed]" : "")"
        }
        let summary = "Checked \(report.checked) entries: \(report.bad.count) bad"
        lines.append(report.bad.isEmpty ? summary + "."
                     : summary + (report.repaired ? ", removed." : "; run 'wheelcache cache verify --repair' to remove them."))
        return lines.joined(separator: "\n")
    }
}
