import ArgumentParser
import FoundationEssentials
import WheelStore
import WheelSystem

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

    func store() throws -> CacheStore { try cache.store() }

    /// The store of an existing wheelcache cache; commands that remove refuse anything else.
    func existingCache() throws -> CacheStore {
        let store = try store()
        guard FileTree.kind(store.root) == .folder else {
            Console.error("error: \(store.root) does not exist or is not a folder; nothing to do")
            throw ExitCode(2)
        }
        if let problem = store.ownershipProblem() {
            Console.error("error: \(problem)")
            throw ExitCode(2)
        }
        guard CacheMaintenance(store: store).isWheelcacheCache else {
            Console.error("error: \(store.root) is not a wheelcache cache (it has no CACHEDIR.TAG written by wheelcache); refusing to touch it")
            throw ExitCode(2)
        }
        return store
    }

    /// Takes the cache-wide lock, saying so while builds in progress hold it.
    func lock(_ store: CacheStore, _ mode: FileLock.Mode) throws -> FileLock {
        try store.lockCache(mode) {
            Console.error("waiting for wheelcache processes using the cache to finish…")
        }
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
        print(try cache.store().root)
    }
}

/// `wheelcache cache info`: where, how big, how well it is doing.
struct CacheInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the cache's location, size per bucket, entries and hit statistics.")

    @OptionGroup var options: CacheSubcommandOptions

    @Flag(name: .customLong("zero-stats"), help: "After showing them, reset the hit/miss/build counters.")
    var zeroStats = false

    struct Report: Encodable {
        struct Bucket: Encodable {
            let name: String
            let files: Int
            let bytes: Int64
        }
        let root: String
        let entries: Int
        let gitMirrors: Int
        let buildEnvironments: Int
        let buckets: [Bucket]
        let totalBytes: Int64
        let statistics: CacheStatistics

        enum CodingKeys: String, CodingKey {
            case root, entries, buckets, statistics
            case gitMirrors = "git_mirrors"
            case buildEnvironments = "build_environments"
            case totalBytes = "total_bytes"
        }
    }

    func run() throws {
        let store = try options.store()
        let maintenance = CacheMaintenance(store: store)
        let inventory = store.inventory()
        let usage = maintenance.bucketUsage(inventory)
        let report = Report(
            root: store.root, entries: inventory.entries.count, gitMirrors: maintenance.gitMirrors().count,
            buildEnvironments: maintenance.buildEnvironments().filter(\.complete).count,
            buckets: usage.map { Report.Bucket(name: $0.name, files: $0.usage.files, bytes: $0.usage.bytes) },
            totalBytes: usage.reduce(0) { $0 + $1.usage.bytes }, statistics: store.statistics())
        if options.json {
            options.printJSON(report)
        } else {
            print(render(report))
        }
        if zeroStats {
            guard FileTree.kind(store.root) == .folder else { return }
            store.resetStatistics()
            if !options.json { print("Statistics zeroed.") }
        }
    }

    private func render(_ report: Report) -> String {
        let titles = ["wheels-v1": "Wheels", "http-v1": "HTTP downloads", "git-v1": "Git mirrors",
                      "envs-v1": "Build environments", "interpreters-v1": "Interpreter facts", "logs-v1": "Failed build logs",
                      "tmp": "Staging"]
        var lines = ["Cache location: \(report.root)",
                     "Wheel entries: \(report.entries)",
                     "Git mirrors: \(report.gitMirrors)",
                     "Build environments: \(report.buildEnvironments)"]
        var other = FileTree.Usage()
        for bucket in report.buckets {
            guard let title = titles[bucket.name] else {
                other += FileTree.Usage(files: bucket.files, bytes: bucket.bytes)
                continue
            }
            lines.append("\(title) (\(bucket.name)): \(ByteSize.format(bucket.bytes)) in \(bucket.files) files")
        }
        lines.append("Other (tag, locks, statistics): \(ByteSize.format(other.bytes)) in \(other.files) files")
        lines.append("Total size: \(ByteSize.format(report.totalBytes))")
        let s = report.statistics
        let lookups = s.hits + s.misses
        let rate = lookups == 0 ? "no lookups yet" : (Double(s.hits) * 100 / Double(lookups)).fixed(1) + "% hits"
        lines.append("Statistics since \(s.since): \(rate)")
        lines.append("  hits: \(s.hits), misses: \(s.misses), builds stored: \(s.builds), failed builds: \(s.failures), uncached builds: \(s.uncached), corrupt entries evicted: \(s.corrupt), wheels downloaded: \(s.downloads)")
        lines.append("  remote: hits \(s.remoteHits), misses \(s.remoteMisses), errors \(s.remoteErrors)")
        return lines.joined(separator: "\n")
    }
}

/// What `cache list --format json` prints for each entry.
struct ListedEntry: Encodable {
    let key: String
    let name: String?
    let version: String?
    let wheel: String?
    let path: String?
    let bytes: Int64
    let lastUsed: Date

    init(_ entry: EntrySummary) {
        key = entry.key
        name = entry.name
        version = entry.version
        wheel = entry.wheel
        path = entry.wheelPath
        bytes = entry.usage.bytes
        lastUsed = entry.lastUsed
    }

    enum CodingKeys: String, CodingKey {
        case key, name, version, wheel, path, bytes
        case lastUsed = "last_used"
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
        let store = try options.store()
        let matcher = pattern.map(EntryPattern.init)
        let entries = store.inventory().entries
            .filter { $0.isComplete }
            .filter { entry in matcher.map { m in entry.name.map { m.matches(name: $0, version: entry.version) } ?? false } ?? true }
            .sorted { ($0.wheel ?? "", $0.key) < ($1.wheel ?? "", $1.key) }
        switch options.json ? .json : format {
        case .json:
            options.printJSON(entries.map(ListedEntry.init))
        case .abspath:
            for entry in entries { print(entry.wheelPath ?? entry.path) }
        case .human:
            if entries.isEmpty {
                print(pattern == nil ? "No locally built wheels cached." : "No locally built wheels match '\(pattern!)'.")
                return
            }
            print("Cache contents:\n")
            for entry in entries {
                print(" - \(entry.wheel ?? "?") (\(ByteSize.format(entry.usage.bytes)), key \(entry.key.prefix(12)))")
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
        let store = try options.existingCache()
        let lock = try options.lock(store, .exclusive)
        defer { lock.unlock() }
        let (removed, freed) = CacheMaintenance(store: store).remove(matching: EntryPattern(pattern))
        if options.json {
            options.printJSON(["removed": removed.map(ListedEntry.init)])
            return
        }
        if removed.isEmpty { Console.error("warning: no cached wheels match '\(pattern)'") }
        print("Files removed: \(removed.count) (\(ByteSize.format(freed.bytes)))")
    }
}

/// `wheelcache cache purge`.
struct CachePurge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Remove everything the cache holds (the folder and its statistics stay).")

    @OptionGroup var options: CacheSubcommandOptions

    func run() throws {
        let store = try options.existingCache()
        let lock = try options.lock(store, .exclusive)
        defer { lock.unlock() }
        let freed = CacheMaintenance(store: store).purge()
        if options.json {
            options.printJSON(["files": Int64(freed.files), "bytes": freed.bytes])
        } else {
            print("Files removed: \(freed.files) (\(ByteSize.format(freed.bytes)))")
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

    struct Report: Encodable {
        struct Item: Encodable {
            let kind: String
            let path: String
            let bytes: Int64
            let lastUsed: Date
            enum CodingKeys: String, CodingKey {
                case kind, path, bytes
                case lastUsed = "last_used"
            }
        }
        let dryRun: Bool
        let removed: [Item]
        let freedBytes: Int64
        let sizeBefore: Int64
        let sizeAfter: Int64
        enum CodingKeys: String, CodingKey {
            case removed
            case dryRun = "dry_run"
            case freedBytes = "freed_bytes"
            case sizeBefore = "size_before"
            case sizeAfter = "size_after"
        }
    }

    func run() throws {
        let store = try options.existingCache()
        let limit = try CacheOptions.maxSize(maxSize)
        let lock = try options.lock(store, .exclusive)
        defer { lock.unlock() }
        let result = CacheMaintenance(store: store).prune(maxSize: limit, maxAge: maxAge.flatMap(TimeSpan.parse), dryRun: dryRun)
        if options.json {
            options.printJSON(Report(
                dryRun: dryRun,
                removed: result.removed.map { Report.Item(kind: $0.kind.rawValue, path: $0.path, bytes: $0.usage.bytes, lastUsed: $0.lastUsed) },
                freedBytes: result.freed.bytes, sizeBefore: result.sizeBefore, sizeAfter: result.sizeAfter))
            return
        }
        let verb = dryRun ? "Would remove" : "Removed"
        if dryRun {
            for item in result.removed { print(" - \(item.label) (\(ByteSize.format(item.usage.bytes)))") }
        }
        let entries = result.removed.filter { $0.kind == .entry }.count
        print("\(verb) \(entries) entries and \(result.removed.count - entries) other items: \(ByteSize.format(result.freed.bytes)); cache size \(ByteSize.format(result.sizeBefore)) -> \(ByteSize.format(dryRun ? result.sizeBefore - result.freed.bytes : result.sizeAfter))")
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

    struct Report: Encodable {
        struct Bad: Encodable {
            let key: String
            let name: String?
            let version: String?
            let path: String
            let reason: String
        }
        let checked: Int
        let bad: [Bad]
        let repaired: Bool
    }

    func run() throws {
        let store = try options.store()
        guard FileTree.kind(store.root) == .folder else {
            if options.json { options.printJSON(Report(checked: 0, bad: [], repaired: repair)) } else { print("Checked 0 entries: the cache is empty.") }
            return
        }
        let lock = try options.lock(store, repair ? .exclusive : .shared)
        defer { lock.unlock() }
        let (checked, problems) = CacheMaintenance(store: store).verify(repair: repair)
        if options.json {
            options.printJSON(Report(checked: checked, bad: problems.map {
                Report.Bad(key: $0.key, name: $0.name, version: $0.version, path: $0.path, reason: $0.reason)
            }, repaired: repair))
        } else {
            for problem in problems {
                let what = [problem.name, problem.version].compactMap { $0 }.joined(separator: " ")
                print("bad      \(what.isEmpty ? "?" : what) (key \(problem.key)): \(problem.reason)\(repair ? " [removed]" : "")")
            }
            let summary = "Checked \(checked) entries: \(problems.count) bad"
            print(problems.isEmpty ? summary + "." : summary + (repair ? ", removed." : "; run 'wheelcache cache verify --repair' to remove them."))
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}
