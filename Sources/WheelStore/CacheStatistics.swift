import FoundationEssentials
import WheelModel
import WheelSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counters of how the cache is doing, in the spirit of ccache's statistics: kept in
/// `stats.json` at the root, added to once per run under a `flock` on the file itself.
public struct CacheStatistics: Encodable, Equatable, Sendable {
    /// When counting started: the cache's creation or the last `--zero-stats` (ISO 8601).
    public var since: String
    /// Wheels served from the local cache.
    public var hits = 0
    /// Lookups that found nothing usable, so a build ran (including `--no-binary` rebuilds).
    public var misses = 0
    /// Builds stored in the cache.
    public var builds = 0
    /// Builds that failed.
    public var failures = 0
    /// Builds that are never cached (local folders).
    public var uncached = 0
    /// Entries found corrupt on lookup and evicted.
    public var corrupt = 0
    /// Wheels downloaded from an index and stored.
    public var downloads = 0
    /// Local misses served by the remote cache.
    public var remoteHits = 0
    /// Local misses the remote cache did not have either.
    public var remoteMisses = 0
    /// Remote lookups or uploads that failed (unreachable, errors, bad blobs).
    public var remoteErrors = 0

    public init(since: String) {
        self.since = since
    }

    /// Adds another set of counters (its `since` is ignored).
    public mutating func add(_ other: CacheStatistics) {
        // Saturating: a counter at Int.max (a hand-edited or ancient stats.json) stays there.
        func plus(_ a: Int, _ b: Int) -> Int {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? (b > 0 ? Int.max : Int.min) : sum
        }
        hits = plus(hits, other.hits)
        misses = plus(misses, other.misses)
        builds = plus(builds, other.builds)
        failures = plus(failures, other.failures)
        uncached = plus(uncached, other.uncached)
        corrupt = plus(corrupt, other.corrupt)
        downloads = plus(downloads, other.downloads)
        remoteHits = plus(remoteHits, other.remoteHits)
        remoteMisses = plus(remoteMisses, other.remoteMisses)
        remoteErrors = plus(remoteErrors, other.remoteErrors)
    }

    /// Hits as a share of lookups, as `cache info` says it: `93.8% hits`, or `no lookups yet`.
    public var hitRate: String {
        let lookups = Double(hits) + Double(misses)
        return lookups == 0 ? "no lookups yet" : (Double(hits) * 100 / lookups).fixed(1) + "% hits"
    }

    public var isEmpty: Bool {
        [hits, misses, builds, failures, uncached, corrupt, downloads, remoteHits, remoteMisses, remoteErrors].allSatisfy { $0 == 0 }
    }

    enum CodingKeys: String, CodingKey {
        case since, hits, misses, builds, failures, uncached, corrupt, downloads
        case remoteHits = "remote_hits"
        case remoteMisses = "remote_misses"
        case remoteErrors = "remote_errors"
    }

    /// Reads the counters without `JSONDecoder` (every run that stores or hits writes them).
    public init?(json: JSONValue) {
        guard let since = json["since"]?.string else { return nil }
        self.init(since: since)
        for (key, path) in CacheStatistics.counters {
            guard let value = json[key] else { continue }
            guard let count = value.int else { return nil }
            self[keyPath: path] = count
        }
    }

    /// The file's text: the same fields as the `Codable` form, keys sorted.
    var json: JSONValue {
        var members: [String: JSONValue] = ["since": .string(since)]
        for (key, path) in CacheStatistics.counters { members[key] = .int(self[keyPath: path]) }
        return .object(members)
    }

    static var counters: [(String, WritableKeyPath<CacheStatistics, Int>)] { [
        ("hits", \.hits), ("misses", \.misses), ("builds", \.builds), ("failures", \.failures), ("uncached", \.uncached),
        ("corrupt", \.corrupt), ("downloads", \.downloads), ("remote_hits", \.remoteHits), ("remote_misses", \.remoteMisses),
        ("remote_errors", \.remoteErrors),
    ] }

    static func now() -> String { Date().formatted(.iso8601) }
}

extension CacheStore {
    var statisticsPath: String { root + "/stats.json" }

    /// The counters; zero since now when there are none yet (or they are unreadable).
    public func statistics() -> CacheStatistics {
        guard let data = FileManager.default.contents(atPath: statisticsPath),
              let stats = JSONValue.parse(data).flatMap(CacheStatistics.init(json:)) else {
            return CacheStatistics(since: CacheStatistics.now())
        }
        return stats
    }

    /// Adds `delta` to the counters. Best effort: statistics never fail a build.
    public func record(_ delta: CacheStatistics) {
        guard !delta.isEmpty else { return }
        update { $0.add(delta) }
    }

    /// Zeroes the counters, starting a new period now.
    public func resetStatistics() {
        update { $0 = CacheStatistics(since: CacheStatistics.now()) }
    }

    private func update(_ change: (inout CacheStatistics) -> Void) {
        // Never through a link planted in the cache.
        let fd = open(statisticsPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 { guard errno == EINTR else { return } }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = read(fd, &buffer, buffer.count)
        var stats = (count > 0 ? JSONValue.parse(buffer[0..<count]).flatMap(CacheStatistics.init(json:)) : nil)
            ?? CacheStatistics(since: CacheStatistics.now())
        change(&stats)
        let data = Array(stats.json.text.utf8)
        _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, data.count, 0) }
        _ = ftruncate(fd, off_t(data.count))
    }
}
