import FoundationEssentials
import WheelModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelSystem

/// The local cache: entries under `wheels-v1/ab/cd/<key>/`, each a wheel and `entry.json`,
/// published by one `rename` from staging so a reader never sees a partial entry.
public struct CacheStore: Sendable {
    public let root: String

    /// A cache at `root`; nothing is created until something is written.
    public init(root: String) {
        self.root = root
    }

    /// What a lookup found.
    public enum Lookup: Equatable, Sendable {
        case miss
        /// A verified entry: its wheel's SHA-256 and size match the manifest.
        case hit(CachedEntry)
        /// An entry that failed verification; it must be evicted, never served.
        case corrupt(key: String, reason: String)
    }

    public func path(_ bucket: CacheBucket) -> String { root + "/" + bucket.rawValue }

    /// The folder of an entry: two levels of fan-out keep folders small.
    public func entryPath(_ key: String) -> String {
        let bytes = key.utf8  // hex: a byte is a character
        return path(.wheels) + "/" + String(decoding: bytes.prefix(2), as: UTF8.self) + "/"
            + String(decoding: bytes.dropFirst(2).prefix(2), as: UTF8.self) + "/" + key
    }

    /// Whether the root carries the `CACHEDIR.TAG` that wheelcache writes (`prepare`).
    public var hasWheelcacheTag: Bool {
        guard let bytes = try? FileReader.contents(of: root + "/CACHEDIR.TAG", limit: 4096) else { return false }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.hasPrefix("Signature: 8a477f597d28d172789f06886806bc55") && text.contains("created by wheelcache")
    }

    /// Why wheelcache must not make its cache at the root, if it must not: a folder that
    /// holds something but is not a wheelcache cache (a project, another tool's cache). Made
    /// there, a later `purge` would count the user's files as the cache's.
    public func adoptionProblem() -> String? {
        // wheelcache's own names may come before the tag (interpreter facts are kept first),
        // with the temporary siblings of files being written (`CACHEDIR.TAG.PID.tmp`): another
        // process may be making the same cache right now.
        let ours = CacheBucket.allCases.map(\.rawValue) + [".lock", "stats.json", "CACHEDIR.TAG"]
        func isOurs(_ name: String) -> Bool { ours.contains { name == $0 || name.hasPrefix($0 + ".") } }
        guard FileTree.kind(root) == .folder, !hasWheelcacheTag,
              FileTree.items(root).contains(where: { !isOurs($0.name) }) else { return nil }
        return "\(root) is not empty and is not a wheelcache cache (it has no CACHEDIR.TAG written by wheelcache); "
            + "wheelcache makes its cache only in a new or empty folder: pass one with --cache-dir or WHEELCACHE_CACHE_DIR"
    }

    /// Creates the root with its `CACHEDIR.TAG` (so backup tools skip it) if needed; never in
    /// a folder that holds something else (see `adoptionProblem`).
    public func prepare() throws(StoreError) {
        var isDirectory = false
        if FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), !isDirectory {
            throw .notADirectory(root)
        }
        try io { try FileWrite.makeDirectories(root) }
        let tag = root + "/CACHEDIR.TAG"
        if access(tag, F_OK) != 0 {
            if adoptionProblem() != nil { throw .notWheelcacheCache(root) }
            let text = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by wheelcache.\n# For information about cache directory tags see https://bford.info/cachedir/\n"
            try io { try FileWrite.atomically(Data(text.utf8), to: tag) }
            resetStatistics()  // counting starts when the cache is made
        }
    }

    /// Reads and verifies the entry for `key`. Verification hashes the wheel; on success the
    /// manifest's modification time is bumped, which is what least-recently-used pruning reads.
    public func lookup(_ key: String) -> Lookup {
        let found = check(key, at: entryPath(key))
        if case .hit(let entry) = found { markUsed(entry) }
        return found
    }

    /// Counts a use of an entry already checked (what least-recently-used pruning reads).
    public func markUsed(_ entry: CachedEntry) {
        _ = utimensat(AT_FDCWD, entry.path + "/entry.json", nil, 0)
    }

    /// Reads and verifies the entry in `folder` without counting it as a use.
    public func check(_ key: String, at folder: String) -> Lookup {
        let manifestPath = folder + "/entry.json"
        let data: [UInt8]
        do { data = try FileReader.contents(of: manifestPath, limit: EntryManifest.maxBytes, noFollow: true) } catch {
            if error.errno == ENOENT { return .miss }
            return .corrupt(key: key, reason: "its manifest cannot be read (\(String(cString: strerror(error.errno))))")
        }
        // Nothing below the bucket may be a link: it could lead anywhere (the bucket itself
        // is checked once a run, see `linkProblem`).
        if let link = firstLink(in: folder) {
            return .corrupt(key: key, reason: "\(link) is a symbolic link, where wheelcache keeps a folder")
        }
        guard let manifest = JSONValue.parse(data).flatMap(EntryManifest.init(json:)),
              manifest.schema == EntryManifest.currentSchema, manifest.key == key,
              !manifest.wheel.contains("/"), !manifest.wheel.hasPrefix(".") else {
            return .corrupt(key: key, reason: "its manifest is unreadable")
        }
        // The manifest's project and version are those of the wheel's file name (which
        // validation matched to its METADATA when it was stored), as `verify` checks them.
        guard let file = try? WheelFileName(manifest.wheel),
              file.normalizedName == ProjectName.normalize(manifest.name),
              file.version == manifest.version || Version(file.version) == Version(manifest.version) && Version(file.version) != nil else {
            return .corrupt(key: key, reason: "its manifest names \(manifest.name) \(manifest.version), and its wheel is \(manifest.wheel)")
        }
        let wheelPath = folder + "/" + manifest.wheel
        let digest: (hex: String, size: Int64)
        do { digest = try FileDigest.sha256(wheelPath, regularOnly: true, noFollow: true) } catch {
            let why = error.errno == ENOENT ? "is missing" : error.errno == ELOOP ? "is a symbolic link" : "cannot be read"
            return .corrupt(key: key, reason: "its wheel \(manifest.wheel) \(why)")
        }
        guard digest.size == manifest.size, digest.hex == manifest.sha256 else {
            return .corrupt(key: key, reason: "its wheel \(manifest.wheel) does not match the SHA-256 in its manifest")
        }
        return .hit(CachedEntry(path: folder, wheelPath: wheelPath, manifest: manifest))
    }

    /// The first symbolic link among an entry folder and its two shard folders, if any.
    func firstLink(in entry: String) -> String? {
        var info = stat()
        var path = entry
        for _ in 0..<3 {
            if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK { return path }
            path = PathText.parent(path)
        }
        return nil
    }

    /// A bucket of the cache (`wheels-v1`, …) that is a symbolic link: builds would write
    /// where it leads (the cache commands remove such a link as a link, never following it).
    /// wheelcache follows no link inside its cache; a build stops with what to do.
    public func linkProblem() -> String? {
        var info = stat()
        for bucket in CacheBucket.allCases where lstat(path(bucket), &info) == 0 && info.st_mode & S_IFMT == S_IFLNK {
            return "\(path(bucket)) is a symbolic link; wheelcache follows no link inside its cache. Remove the link (rm \(path(bucket))), or use another cache folder"
        }
        return nil
    }

    /// Takes the per-key lock that serializes the miss path for one key across processes.
    public func lockKey(_ key: String, waiting: (() -> Void)? = nil) throws(StoreError) -> FileLock {
        let folder = PathText.parent(entryPath(key))
        try io { try FileWrite.makeDirectories(folder) }
        return try io { try FileLock(path: folder + "/" + key + ".lock", mode: .exclusive, waiting: waiting) }
    }

    /// Why this process must not use the cache, if it must not: a root owned by another user
    /// (a cache made under `sudo`, or someone else's). Its files would come out owned by two
    /// users, and another user's wheels are not ours to trust or to remove. pip disables its
    /// cache in this case; wheelcache says so and stops.
    public func ownershipProblem() -> String? {
        var info = stat()
        guard lstat(root, &info) == 0 else { return nil }  // not made yet: it will be ours
        guard info.st_uid != geteuid() else { return nil }
        let owner = getpwuid(info.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "user \(info.st_uid)"
        let me = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "user \(geteuid())"
        return "the cache folder \(root) belongs to \(owner), not to \(me) who is running wheelcache; "
            + "use a cache of your own (--cache-dir or WHEELCACHE_CACHE_DIR), or give this one back to \(me) with chown -R"
    }

    /// Takes the cache-wide lock: shared for builds, exclusive for purge and prune.
    public func lockCache(_ mode: FileLock.Mode, waiting: (() -> Void)? = nil) throws(StoreError) -> FileLock {
        try prepare()
        return try io { try FileLock(path: root + "/.lock", mode: mode, waiting: waiting) }
    }

    /// Removes an entry (the caller holds its key lock).
    public func evict(_ key: String) throws(StoreError) {
        let folder = entryPath(key)
        guard access(folder, F_OK) == 0 else { return }
        let staging = try makeStaging()
        // Rename first so the entry disappears at once, then delete at leisure.
        guard rename(folder, staging.path + "/evicted") == 0 else {
            throw .io(path: folder, operation: "evict", errno: errno)
        }
        staging.remove()
    }

    /// Publishes a validated wheel with its manifest, replacing any entry for the same key.
    /// The caller holds the key lock. `extraFiles` (such as the build log) go in as well.
    @discardableResult
    public func publish(wheel: String, manifest: EntryManifest, extraFiles: [String] = []) throws(StoreError) -> CachedEntry {
        let staging = try makeStaging()
        defer { staging.remove() }
        let entry = staging.path + "/entry"
        try io { try FileWrite.makeDirectories(entry) }
        let stagedWheel = entry + "/" + manifest.wheel
        try io { try FileWrite.copy(wheel, to: stagedWheel) }
        for file in extraFiles {
            try io { try FileWrite.copy(file, to: entry + "/" + PathText.lastComponent(file)) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(manifest) } catch {
            throw .badManifest(path: entry + "/entry.json", reason: "\(error)")
        }
        try io { try FileWrite.atomically(data, to: entry + "/entry.json") }
        try io { try FileWrite.sync(entry) }

        let final = entryPath(manifest.key)
        let parent = PathText.parent(final)
        try io { try FileWrite.makeDirectories(parent) }
        if access(final, F_OK) == 0 {
            guard rename(final, staging.path + "/replaced") == 0 else {
                throw .io(path: final, operation: "replace", errno: errno)
            }
        }
        guard rename(entry, final) == 0 else { throw .io(path: final, operation: "publish", errno: errno) }
        try io { try FileWrite.sync(parent) }
        return CachedEntry(path: final, wheelPath: final + "/" + manifest.wheel, manifest: manifest)
    }

    /// A fresh staging folder under `tmp/`, locked by this process while it lives so that
    /// `clearStaleStaging` can tell it from the litter of a killed process. The lock comes
    /// first, taken under a name clearStaleStaging leaves alone for a minute and then renamed,
    /// and the folder after it: a folder is never without a held lock, and a process killed
    /// in between leaves at most an empty `.lock.new` file.
    /// Whether `name` is one `makeStaging` makes (`stage-` and letters or digits, with `.lock`
    /// or `.lock.new` after it): only those (and only with their lock) are a dead run's.
    public static func isStagingName(_ name: String) -> Bool {
        var stem = Substring(name)
        for suffix in [".lock.new", ".lock"] where stem.hasSuffix(suffix) {
            stem = stem.dropLast(suffix.count)
            break
        }
        guard stem.hasPrefix("stage-") else { return false }
        let id = stem.dropFirst("stage-".count)
        return !id.isEmpty && id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    public func makeStaging() throws(StoreError) -> StagingDirectory {
        try prepare()
        let tmp = path(.tmp)
        try io { try FileWrite.makeDirectories(tmp) }
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        for _ in 0..<100 {
            let folder = tmp + "/stage-" + String((0..<8).map { _ in letters.randomElement()! })
            let fresh = open(folder + ".lock.new", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if fresh < 0 && errno == EEXIST { continue }
            guard fresh >= 0 else { throw .io(path: tmp, operation: "create a folder in", errno: errno) }
            close(fresh)
            let lock = try io { try FileLock(path: folder + ".lock.new", mode: .exclusive) }
            guard rename(folder + ".lock.new", folder + ".lock") == 0 else {
                throw .io(path: folder + ".lock", operation: "create", errno: errno)
            }
            guard mkdir(folder, 0o700) == 0 else {
                let code = errno
                unlink(folder + ".lock")
                if code == EEXIST { continue }
                throw .io(path: tmp, operation: "create a folder in", errno: code)
            }
            return StagingDirectory(path: folder, lock: lock)
        }
        throw .io(path: tmp, operation: "create a folder in", errno: EEXIST)
    }

    /// Removes staging folders whose owners are gone (their lock files are free), and the
    /// empty `.lock.new` files of processes killed while making one, once a minute old
    /// (younger, it may be a live process's lock about to be taken).
    public func clearStaleStaging() {
        let tmp = path(.tmp)
        for item in FileTree.items(tmp) where item.kind == .file && CacheStore.isStagingName(item.name) {
            let lockPath = tmp + "/" + item.name
            if item.name.hasSuffix(".lock") {
                guard let lock = FileLock.tryExclusive(path: lockPath) else { continue }
                FileTree.remove(String(lockPath.dropLast(".lock".count)))
                unlink(lockPath)
                lock.unlock()
            } else if item.name.hasSuffix(".lock.new"), item.modified.timeIntervalSinceNow < -60,
                      let lock = FileLock.tryExclusive(path: lockPath) {
                unlink(lockPath)
                lock.unlock()
            }
        }
    }

    /// Hard-links (or, across file systems, copies) a wheel into `directory` under its own
    /// name. The file appears whole: by one link, or by rename over what is there.
    public static func deliver(_ wheel: String, to directory: String) throws(StoreError) -> String {
        let name = PathText.lastComponent(wheel)
        let target = directory + "/" + name
        // Most deliveries are a new name in a folder that exists: one system call.
        if link(wheel, target) == 0 { return target }
        if errno == ENOENT {
            do { try FileWrite.makeDirectories(directory) } catch {
                throw .delivery(path: directory, errno: error.errno == EEXIST ? ENOTDIR : error.errno)
            }
            if link(wheel, target) == 0 { return target }
            var info = stat()
            if errno == ENOENT, stat(directory, &info) != 0 || info.st_mode & S_IFMT != S_IFDIR { errno = ENOTDIR }
        }
        if errno == ENOTDIR { throw .delivery(path: directory, errno: ENOTDIR) }
        var a = stat(), b = stat()
        if stat(wheel, &a) == 0, stat(target, &b) == 0, a.st_dev == b.st_dev, a.st_ino == b.st_ino { return target }
        let temporary = directory + "/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).part"
        if link(wheel, temporary) != 0 {
            do { try FileWrite.copy(wheel, to: temporary) } catch {
                unlink(temporary)
                throw .delivery(path: target, errno: error.errno)
            }
        }
        guard rename(temporary, target) == 0 else {
            let code = errno
            unlink(temporary)
            throw .delivery(path: target, errno: code)
        }
        return target
    }
}

/// A verified cache entry.
public struct CachedEntry: Equatable, Sendable {
    public var path: String
    public var wheelPath: String
    public var manifest: EntryManifest
}

/// A staging folder; `remove()` deletes it and frees its lock.
public struct StagingDirectory: Sendable {
    public let path: String
    let lock: FileLock

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
        unlink(path + ".lock")
        lock.unlock()
    }
}
