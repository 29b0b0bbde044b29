import FoundationEssentials
import WheelArchive
import WheelModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelSystem

/// The walks and removals under `cache info/remove/purge/prune/verify` (`CacheAdmin` opens
/// the cache and takes the lock around them) and a build's `--max-size`. Callers hold the cache
/// lock: exclusive for anything that removes, so no build is between its lookup and its publish
/// meanwhile. Every walk and removal goes through `FileTree`, which never follows a link.
public struct CacheMaintenance: Sendable {
    public let store: CacheStore

    public init(store: CacheStore) {
        self.store = store
    }

    // MARK: info

    /// Per top-level item: its usage. Buckets that do not exist are reported as empty. The
    /// wheels bucket is summed from `inventory` when the caller has walked it already.
    public func bucketUsage(_ inventory: WheelsInventory? = nil) -> [(name: String, usage: FileTree.Usage)] {
        var found: [String: FileTree.Usage] = [:]
        for item in FileTree.items(store.root) {
            if item.name == CacheBucket.wheels.rawValue, item.kind == .folder, let inventory {
                found[item.name] = store.usage(of: inventory)
                continue
            }
            found[item.name] = item.kind == .folder ? FileTree.usage(store.root + "/" + item.name)
                                                    : FileTree.Usage(files: 1, bytes: item.size)
        }
        var out = CacheBucket.allCases.map { ($0.rawValue, found.removeValue(forKey: $0.rawValue) ?? FileTree.Usage()) }
        out += found.keys.sorted().map { ($0, found[$0]!) }
        return out
    }

    /// The git mirrors (folders of the git bucket).
    public func gitMirrors() -> [String] {
        FileTree.items(store.path(.git)).filter { $0.kind == .folder }.map { store.path(.git) + "/" + $0.name }
    }

    /// The build environments (folders of the environments bucket), complete or not.
    public func buildEnvironments() -> [(path: String, complete: Bool, lastUsed: Date)] {
        let root = store.path(.envs)
        return FileTree.items(root).filter { $0.kind == .folder }.map { folder in
            let path = root + "/" + folder.name
            // env.json is written last and touched by each build that uses the environment.
            let manifest = FileTree.items(path).first { $0.name == "env.json" && $0.kind == .file }
            return (path, manifest != nil, manifest?.modified ?? folder.modified)
        }
    }

    // MARK: remove and purge

    /// Removes the entries whose project (and version) match; returns them and what was freed.
    public func remove(matching pattern: EntryPattern) -> (entries: [EntrySummary], freed: FileTree.Usage) {
        let removed = store.inventory().entries.filter { entry in
            entry.name.map { pattern.matches(name: $0, version: entry.version) } ?? false
        }
        let freed = Parallel.map(removed.map(\.path)) { FileTree.remove($0) }.reduce(FileTree.Usage(), +)
        return (removed, freed)
    }

    /// Removes everything under the root except the tag, the lock and the statistics.
    public func purge() -> FileTree.Usage {
        var freed = FileTree.Usage()
        // Only the buckets wheelcache makes: anything else in the folder is not ours.
        let buckets = Set(CacheBucket.allCases.map(\.rawValue))
        for item in FileTree.items(store.root) where buckets.contains(item.name) {
            freed += FileTree.remove(store.root + "/" + item.name)
        }
        return freed
    }

    // MARK: prune

    /// Something prune may remove (what its report lists).
    typealias Prunable = PruneReport.Item

    /// Removes litter (staging of dead processes, stray files among the entries), then
    /// whatever has not been used for `maxAge`, then the least recently used entries, git
    /// mirrors, build environments, HTTP responses and logs until the whole cache is at most `maxSize` bytes.
    public func prune(maxSize: Int64?, maxAge: TimeInterval?, dryRun: Bool, now: Date = Date()) -> PruneReport {
        var report = PruneReport(dryRun: dryRun)
        let inventory = store.inventory()
        let total = bucketUsage(inventory).reduce(Int64(0)) { $0 + $1.usage.bytes }
        report.sizeBefore = total
        var remaining = total
        var candidates: [Prunable] = []
        var litter = staleLitter()
        for stray in inventory.strayFiles {
            let label = "stray file " + String(stray.dropFirst(store.root.count + 1))
            litter.append(Prunable(kind: .litter, path: stray, label: label, usage: FileTree.usage(stray), lastUsed: now))
        }
        for entry in inventory.entries {
            let label = entry.wheel ?? "incomplete entry \(entry.key)"
            let kind: Prunable.Kind = entry.isComplete ? .entry : .litter
            let item = Prunable(kind: kind, path: entry.path, label: label, usage: entry.usage, lastUsed: entry.lastUsed)
            if entry.isComplete { candidates.append(item) } else { litter.append(item) }
        }
        for mirror in gitMirrors() {
            // A mirror's lock file is touched each time a build uses it.
            let used = FileTree.items(mirror).filter { $0.name == "wheelcache.lock" || $0.name == "HEAD" }.map(\.modified).max()
            candidates.append(Prunable(kind: .gitMirror, path: mirror, label: "git mirror " + PathText.lastComponent(mirror),
                                       usage: FileTree.usage(mirror), lastUsed: used ?? .distantPast))
        }
        for environment in buildEnvironments() {
            let label = (environment.complete ? "build environment " : "incomplete build environment ")
                + PathText.lastComponent(environment.path).prefix(12)
            let item = Prunable(kind: environment.complete ? .environment : .litter, path: environment.path, label: label,
                                usage: FileTree.usage(environment.path), lastUsed: environment.lastUsed)
            // An incomplete one is being made (its creator holds the lock) or was left by a crash.
            if environment.complete {
                candidates.append(item)
            } else if FileLock.tryExclusive(path: environment.path + "/lock") != nil || FileTree.kind(environment.path + "/lock") != .file {
                litter.append(item)
            }
        }
        // HTTP responses: last used when stored or revalidated (meta.json's time).
        let http = store.path(.http)
        for fan in FileTree.items(http) where fan.kind == .folder {
            for item in FileTree.items(http + "/" + fan.name) where item.kind == .folder {
                let path = http + "/" + fan.name + "/" + item.name
                let used = FileTree.items(path).first { $0.name == "meta.json" }?.modified ?? item.modified
                candidates.append(Prunable(kind: .http, path: path, label: "HTTP response " + item.name.prefix(12),
                                           usage: FileTree.usage(path), lastUsed: used))
            }
        }
        for log in FileTree.items(store.path(.logs)) {
            candidates.append(Prunable(kind: .log, path: store.path(.logs) + "/" + log.name, label: "log " + log.name,
                                       usage: log.kind == .folder ? FileTree.usage(store.path(.logs) + "/" + log.name)
                                                                  : FileTree.Usage(files: 1, bytes: log.size),
                                       lastUsed: log.modified))
        }
        // Decide first (oldest first), then remove in parallel.
        report.removed = litter
        remaining -= litter.reduce(0) { $0 + $1.usage.bytes }
        candidates.sort { $0.lastUsed < $1.lastUsed }
        for item in candidates {
            let tooOld = maxAge.map { now.timeIntervalSince(item.lastUsed) > $0 } ?? false
            let tooBig = maxSize.map { remaining > $0 } ?? false
            guard tooOld || tooBig else { continue }
            report.removed.append(item)
            remaining -= item.usage.bytes
        }
        if dryRun {
            report.freed = report.removed.reduce(FileTree.Usage()) { $0 + $1.usage }
            report.sizeAfter = total
        } else {
            report.freed = Parallel.map(report.removed.map(\.path)) { FileTree.remove($0) }.reduce(FileTree.Usage(), +)
            report.sizeAfter = max(0, total - report.freed.bytes)
        }
        return report
    }

    /// Staging folders of dead processes.
    private func staleLitter() -> [Prunable] {
        var litter: [Prunable] = []
        let tmp = store.path(.tmp)
        // Only staging folders wheelcache made: named as it names them, with their lock beside.
        for item in FileTree.items(tmp) where CacheStore.isStagingName(item.name) && !item.name.hasSuffix(".lock")
            && !item.name.hasSuffix(".lock.new") && FileTree.kind(tmp + "/" + item.name + ".lock") == .file {
            let path = tmp + "/" + item.name
            // A live staging folder's lock is held by its process.
            if FileTree.kind(path + ".lock") == .file, FileLock.tryExclusive(path: path + ".lock") == nil { continue }
            litter.append(Prunable(kind: .litter, path: path, label: "staging \(item.name)", usage: FileTree.usage(path), lastUsed: item.modified))
            if FileTree.kind(path + ".lock") == .file {
                litter.append(Prunable(kind: .litter, path: path + ".lock", label: "staging lock", usage: FileTree.usage(path + ".lock"), lastUsed: item.modified))
            }
        }
        return litter
    }

    // MARK: verify

    /// Checks every entry: its manifest, the wheel's SHA-256 and size against it, and the full
    /// wheel validation. With `repair`, bad entries are removed.
    public func verify(repair: Bool) -> VerifyReport {
        let entries = store.inventory().entries
        let store = self.store
        let problems = Parallel.map(entries) { entry -> VerifyReport.Problem? in
            var reason: String?
            switch store.check(entry.key, at: entry.path) {
            case .corrupt(_, let why): reason = why
            case .miss: reason = "its manifest is missing"
            case .hit(let found):
                do {
                    let validated = try WheelValidator().validate(found.wheelPath)
                    if ProjectName.normalize(validated.name) != ProjectName.normalize(found.manifest.name)
                        || validated.version != found.manifest.version {
                        reason = "its wheel is \(validated.name) \(validated.version), its manifest says \(found.manifest.name) \(found.manifest.version)"
                    }
                } catch {
                    reason = "its wheel is invalid: \(error)"
                }
            }
            guard let reason else { return nil }
            if repair { FileTree.remove(entry.path) }
            return VerifyReport.Problem(key: entry.key, name: entry.name, version: entry.version, path: entry.path, reason: reason)
        }.compactMap { $0 }
        return VerifyReport(checked: entries.count, bad: problems, repaired: repair, cacheExists: true)
    }
}
