import FoundationEssentials
import WheelModel
import WheelStore
import WheelSystem

// Stage 5: one cache transaction for every way a wheel enters the cache (built, downloaded,
// fetched from the remote): lock the key, look up again, check the wheel against what was
// asked, publish, count.

/// A wheel ready to be stored: validated, with its manifest.
struct Candidate {
    var wheel: String
    var manifest: EntryManifest
    /// Files stored beside the wheel (the build log).
    var extraFiles: [String] = []
    /// `built`, `downloaded` or `remote-hit`; a build that replaces an entry says `rebuilt`.
    var status: SourceStatus
    /// The statistic this kind of store counts.
    var counter: WritableKeyPath<CacheStatistics, Int>
}

/// What a transaction left in the cache, and how it came there.
struct Stored: Sendable {
    var entry: CachedEntry
    var status: SourceStatus
}

/// Stores a wheel under one key so that N processes asking for the key produce it once.
struct CacheTransaction {
    let store: CacheStore
    let key: CacheKey
    let expectation: Expectation
    /// How results name the source (in errors).
    let source: String
    /// How notices name it.
    let label: String
    let counters: RunCounters
    let notice: @Sendable (String) -> Void

    /// Takes the key's lock (saying `waiting` while another process holds it), looks up
    /// again: a good entry is a hit unless `replacing` is `.forced` (another process may have
    /// stored it meanwhile); a corrupt one is evicted. Otherwise `produce()` makes the
    /// candidate under the lock, which is checked against the expectation and published.
    func run(replacing: Decision.Replacement?, waiting: String, produce: () throws -> Candidate) throws -> Stored {
        let lock = try store.lockKey(key.digest) { notice(waiting) }
        defer { lock.unlock() }
        var replaced = replacing != nil
        switch store.lookup(key.digest) {
        case .hit(let entry):
            if replacing != .forced { return Stored(entry: entry, status: .hit) }
        case .corrupt(_, let reason):
            if replacing == nil { warnCorrupt(counters: counters, notice: notice, key: key, label: label, reason: reason) }
            try store.evict(key.digest)
            replaced = true
        case .miss:
            break
        }
        let candidate = try produce()
        try expectation.check(name: candidate.manifest.name, version: candidate.manifest.version, source: source)
        let entry = try store.publish(wheel: candidate.wheel, manifest: candidate.manifest, extraFiles: candidate.extraFiles)
        counters.bump(candidate.counter)
        return Stored(entry: entry, status: replaced && candidate.status == .built ? .rebuilt : candidate.status)
    }
}

/// Counts and says that an entry failed verification and is being replaced.
func warnCorrupt(counters: RunCounters, notice: (String) -> Void, key: CacheKey, label: String, reason: String) {
    counters.bump(\.corrupt)
    notice("warning: cache entry \(key.digest) for \(label) is corrupt (\(reason)); evicting it and building again")
}
