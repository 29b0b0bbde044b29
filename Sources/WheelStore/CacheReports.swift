import FoundationEssentials
import WheelSystem

// What `CacheAdmin`'s operations return. Each encodes as `wheelcache cache … --json` prints it.

/// `cache info`: where the cache is, what each top-level item holds, and how it is doing.
public struct InfoReport: Encodable, Sendable {
    /// A top-level item of the cache: a bucket, or another file or folder (tag, locks, statistics).
    public struct Bucket: Encodable, Sendable {
        public let name: String
        public let files: Int
        public let bytes: Int64

        /// The bucket this is; nil for the other items.
        public var kind: CacheBucket? { CacheBucket(rawValue: name) }
    }

    public let root: String
    public let entries: Int
    public let gitMirrors: Int
    /// Complete build environments.
    public let buildEnvironments: Int
    /// Every bucket (empty ones too), then the other items by name.
    public let buckets: [Bucket]
    public let totalBytes: Int64
    public let statistics: CacheStatistics

    enum CodingKeys: String, CodingKey {
        case root, entries, buckets, statistics
        case gitMirrors = "git_mirrors"
        case buildEnvironments = "build_environments"
        case totalBytes = "total_bytes"
    }
}

/// A cached wheel as `cache list` and `cache remove` show it.
public struct ListedEntry: Encodable, Sendable {
    public let key: String
    public let name: String?
    public let version: String?
    /// The wheel's file name and path (nil when the entry does not hold exactly one wheel).
    public let wheel: String?
    public let path: String?
    /// The entry folder.
    public let folder: String
    /// Every file of the entry.
    public let bytes: Int64
    public let lastUsed: Date

    init(_ entry: EntrySummary) {
        key = entry.key
        name = entry.name
        version = entry.version
        wheel = entry.wheel
        path = entry.wheelPath
        folder = entry.path
        bytes = entry.usage.bytes
        lastUsed = entry.lastUsed
    }

    enum CodingKeys: String, CodingKey {
        case key, name, version, wheel, path, bytes
        case lastUsed = "last_used"
    }
}

/// `cache list`: the entries that match, sorted by wheel file name. Encodes as the bare list.
public struct ListReport: Encodable, Sendable {
    public let pattern: String?
    public let entries: [ListedEntry]

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(entries)
    }
}

/// `cache remove`: the entries removed and what they held.
public struct RemoveReport: Encodable, Sendable {
    public let pattern: String
    public let removed: [ListedEntry]
    public let freedBytes: Int64

    enum CodingKeys: String, CodingKey { case removed }
}

/// `cache purge`: what was removed.
public struct PurgeReport: Encodable, Sendable {
    public let files: Int
    public let bytes: Int64
}

/// `cache prune` (and a build's `--max-size`): what was removed, or would be with `dryRun`.
public struct PruneReport: Encodable, Sendable {
    /// Something prune may remove, with what it costs and when it was last used.
    public struct Item: Encodable, Sendable {
        public enum Kind: String, Encodable, Sendable { case entry, gitMirror = "git-mirror", environment = "build-env", http, log, litter }
        public let kind: Kind
        public let path: String
        public let label: String
        public let usage: FileTree.Usage
        public let lastUsed: Date

        public var bytes: Int64 { usage.bytes }

        enum CodingKeys: String, CodingKey {
            case kind, path, bytes
            case lastUsed = "last_used"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(path, forKey: .path)
            try container.encode(bytes, forKey: .bytes)
            try container.encode(lastUsed, forKey: .lastUsed)
        }
    }

    public var dryRun: Bool
    public var removed: [Item] = []
    public var freed = FileTree.Usage()
    /// The cache's size before and after (after = before when it was a dry run).
    public var sizeBefore: Int64 = 0
    public var sizeAfter: Int64 = 0

    public var freedBytes: Int64 { freed.bytes }

    /// How many of the removed items are wheel entries.
    public var entriesRemoved: Int { removed.filter { $0.kind == .entry }.count }

    enum CodingKeys: String, CodingKey {
        case removed
        case dryRun = "dry_run"
        case freedBytes = "freed_bytes"
        case sizeBefore = "size_before"
        case sizeAfter = "size_after"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dryRun, forKey: .dryRun)
        try container.encode(removed, forKey: .removed)
        try container.encode(freedBytes, forKey: .freedBytes)
        try container.encode(sizeBefore, forKey: .sizeBefore)
        try container.encode(sizeAfter, forKey: .sizeAfter)
    }
}

/// `cache verify`: how many entries were checked, and the bad ones.
public struct VerifyReport: Encodable, Sendable {
    /// An entry that failed a check, and why.
    public struct Problem: Encodable, Sendable {
        public let key: String
        public let name: String?
        public let version: String?
        public let path: String
        public let reason: String
    }

    public let checked: Int
    public let bad: [Problem]
    /// Whether the bad entries were removed.
    public let repaired: Bool
    /// Whether there was a cache folder to check.
    public let cacheExists: Bool

    enum CodingKeys: String, CodingKey { case checked, bad, repaired }
}
