import FoundationEssentials
import WheelSystem

/// The cache as `wheelcache cache` manages it: opens it (refusing a folder that is missing, not
/// ours, or not a wheelcache cache), takes the cache-wide lock each operation needs, and returns
/// reports for the command line to render. `CacheMaintenance` does the walking and removing.
public struct CacheAdmin: Sendable {
    public let store: CacheStore
    /// Called once when builds in progress hold the cache lock, before waiting for them.
    public let waiting: (@Sendable () -> Void)?

    public var root: String { store.root }

    /// A cache that may not exist yet, for what only reads it: `info`, `list`, `verify`.
    public init(root: String, waiting: (@Sendable () -> Void)? = nil) {
        self.store = CacheStore(root: root)
        self.waiting = waiting
    }

    /// An existing wheelcache cache, for what removes: `remove`, `purge`, `prune`. Refuses a
    /// missing folder, one that belongs to another user, and one without wheelcache's
    /// `CACHEDIR.TAG` (whatever is in it is not ours to delete).
    public static func open(root: String, waiting: (@Sendable () -> Void)? = nil) throws(StoreError) -> CacheAdmin {
        let admin = CacheAdmin(root: root, waiting: waiting)
        guard FileTree.kind(root) == .folder else { throw .noCache(root) }
        if let problem = admin.store.ownershipProblem() { throw .foreignOwner(problem) }
        guard admin.store.hasWheelcacheTag else { throw .notWheelcacheCache(root) }
        return admin
    }


    // MARK: reading, without the lock

    /// Where the cache is, what each bucket holds, how many entries, mirrors and build
    /// environments, and the hit statistics.
    public func info() -> InfoReport {
        let maintenance = CacheMaintenance(store: store)
        let inventory = store.inventory()
        let usage = maintenance.bucketUsage(inventory)
        return InfoReport(
            root: root, entries: inventory.entries.count, gitMirrors: maintenance.gitMirrors().count,
            buildEnvironments: maintenance.buildEnvironments().filter(\.complete).count,
            buckets: usage.map { InfoReport.Bucket(name: $0.name, files: $0.usage.files, bytes: $0.usage.bytes) },
            totalBytes: usage.reduce(0) { $0 + $1.usage.bytes }, statistics: store.statistics())
    }

    /// Zeroes the hit statistics; false when there is no cache folder to zero them in.
    public func resetStatistics() -> Bool {
        guard FileTree.kind(root) == .folder else { return false }
        store.resetStatistics()
        return true
    }

    /// The complete entries whose project (and version) match `pattern` (all without one),
    /// sorted by wheel file name.
    public func list(matching pattern: String?) -> ListReport {
        let matcher = pattern.map(EntryPattern.init)
        let entries = store.inventory().entries
            .filter { $0.isComplete }
            .filter { entry in matcher.map { m in entry.name.map { m.matches(name: $0, version: entry.version) } ?? false } ?? true }
            .sorted { ($0.wheel ?? "", $0.key) < ($1.wheel ?? "", $1.key) }
        return ListReport(pattern: pattern, entries: entries.map(ListedEntry.init))
    }

    // MARK: removing, under the lock

    /// Removes the entries whose project (and version) match `pattern`.
    public func remove(matching pattern: String) throws(StoreError) -> RemoveReport {
        let (removed, freed) = try locked(.exclusive) { $0.remove(matching: EntryPattern(pattern)) }
        return RemoveReport(pattern: pattern, removed: removed.map(ListedEntry.init), freedBytes: freed.bytes)
    }

    /// Removes everything but the tag, the lock and the statistics.
    public func purge() throws(StoreError) -> PurgeReport {
        let freed = try locked(.exclusive) { $0.purge() }
        return PurgeReport(files: freed.files, bytes: freed.bytes)
    }

    /// Removes litter, then what has not been used for `maxAge`, then the least recently used
    /// until the cache is at most `maxSize` bytes; with `dryRun`, only says what would go.
    public func prune(maxSize: Int64?, maxAge: TimeInterval?, dryRun: Bool) throws(StoreError) -> PruneReport {
        try locked(.exclusive) { $0.prune(maxSize: maxSize, maxAge: maxAge, dryRun: dryRun) }
    }

    /// Checks every entry in full; with `repair`, removes the bad ones (under the lock taken
    /// exclusively, else shared). A missing cache has nothing to check.
    public func verify(repair: Bool) throws(StoreError) -> VerifyReport {
        guard FileTree.kind(root) == .folder else { return VerifyReport(checked: 0, bad: [], repaired: repair, cacheExists: false) }
        return try locked(repair ? .exclusive : .shared) { $0.verify(repair: repair) }
    }

    /// Runs `body` under the cache-wide lock: exclusive for anything that removes, so no build
    /// is between its lookup and its publish meanwhile.
    private func locked<T>(_ mode: FileLock.Mode, _ body: (CacheMaintenance) -> T) throws(StoreError) -> T {
        let lock = try store.lockCache(mode, waiting: waiting)
        defer { lock.unlock() }
        return body(CacheMaintenance(store: store))
    }
}
