import Foundation
import WheelArchive
import WheelBuild
import WheelFetch
import WheelModel
import WheelStore

/// What `wheelcache build` was asked to do.
public struct BuildRequest: Sendable {
    public var sources: [String]
    public var wheelDirectory: String
    /// The cache root, or nil for `--no-cache-dir`.
    public var cacheRoot: String?
    public var noBinary: PackageSelector
    public var python: String?
    public var options: BuildOptions
    public var index: IndexOptions
    public var environment: [String: String]
    /// Prune the cache to this many bytes after storing (`--max-size`, `WHEELCACHE_MAX_SIZE`).
    public var maxSize: Int64?

    public init(sources: [String], wheelDirectory: String, cacheRoot: String?, noBinary: PackageSelector,
                python: String?, options: BuildOptions, index: IndexOptions, environment: [String: String],
                maxSize: Int64? = nil) {
        self.maxSize = maxSize
        self.sources = sources
        self.wheelDirectory = wheelDirectory
        self.cacheRoot = cacheRoot
        self.noBinary = noBinary
        self.python = python
        self.options = options
        self.index = index
        self.environment = environment
    }
}

/// Ties the parts together for each source: hash, key, look up, and on a miss build under
/// the key's lock, validate, publish, deliver.
public struct BuildPipeline: Sendable {
    public let request: BuildRequest
    /// Receives warnings and notices (evictions, waiting for locks) as they happen.
    public let notice: @Sendable (String) -> Void
    /// This run's contribution to the cache's statistics.
    let counters = Counters()

    public init(request: BuildRequest, notice: @escaping @Sendable (String) -> Void) {
        self.request = request
        self.notice = notice
    }

    /// Statistics gathered during a run, written once at its end.
    final class Counters: @unchecked Sendable {
        private let lock = NSLock()
        private var stats = CacheStatistics(since: "")

        func bump(_ field: WritableKeyPath<CacheStatistics, Int>) {
            lock.lock()
            stats[keyPath: field] += 1
            lock.unlock()
        }

        var value: CacheStatistics {
            lock.lock()
            defer { lock.unlock() }
            return stats
        }
    }

    /// Runs every source; a failed one does not stop the others.
    public func run() -> BuildReport {
        var specs: [(String, Result<SourceSpec, PipelineError>)] = []
        for source in request.sources {
            do { specs.append((source, .success(try SourceSpec.classify(source)))) } catch {
                specs.append((source, .failure(error)))
            }
        }
        // Bad sources fail the run before anything is built or written.
        if specs.contains(where: { if case .failure = $0.1 { true } else { false } }) {
            return BuildReport(results: specs.map { source, spec in
                var result = SourceResult(source: URLRedaction.redact(source), status: .failed, seconds: 0)
                if case .failure(let error) = spec { result.error = error.description; result.failure = .input }
                else { result.error = "not built: another source is invalid"; result.failure = .input }
                return result
            })
        }
        let store = request.cacheRoot.map(CacheStore.init(root:))
        let probe = InterpreterProbe(memory: store?.path(.interpreters), environment: request.environment)
        let interpreter: Interpreter
        do { interpreter = try probe.interpreter(request.python) } catch {
            return BuildReport(results: request.sources.map { source in
                var result = SourceResult(source: URLRedaction.redact(source), status: .failed, seconds: 0)
                result.error = error.description
                result.failure = error.isInputError ? .input : .build
                return result
            })
        }
        var results: [SourceResult] = []
        for (source, spec) in specs {
            guard case .success(let spec) = spec else { continue }
            let started = Date()
            var result = build(source: source, spec: spec, interpreter: interpreter, store: store)
            result.seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
            results.append(result)
        }
        if let store {
            store.record(counters.value)
            if let maxSize = request.maxSize, counters.value.builds > 0 { prune(store, to: maxSize) }
        }
        return BuildReport(results: results)
    }

    /// Keeps the cache under `--max-size` after storing. Only when no other process is using
    /// the cache: a busy cache is pruned by whichever run stores last.
    private func prune(_ store: CacheStore, to maxSize: Int64) {
        guard let lock = FileLock.tryExclusive(path: store.root + "/.lock") else { return }
        defer { lock.unlock() }
        let report = CacheMaintenance(store: store).prune(maxSize: maxSize, maxAge: nil, dryRun: false)
        let entries = report.removed.filter { $0.kind == .entry }.count
        if report.freed.bytes > 0 {
            notice("pruned the cache to stay under \(ByteSize.format(maxSize)): removed \(entries) entries and \(report.removed.count - entries) other items (\(ByteSize.format(report.freed.bytes)))")
        }
    }

    /// A source made ready for the cache: its key is known (except for local folders).
    enum Prepared {
        case sdist(path: String, key: CacheKey)
        case directory(path: String)
        case git(GitURL, commit: String, refs: GitRefs?, name: String?, key: CacheKey)

        /// How the source is named in notices, log names and manifests (never with credentials).
        var label: String {
            switch self {
            case .sdist(let path, _), .directory(let path): return path
            case .git(let url, let commit, _, _, _):
                return "git+" + url.cleanRemote + "@" + commit + (url.subdirectory.map { "#subdirectory=" + $0 } ?? "")
            }
        }

        var key: CacheKey? {
            switch self {
            case .sdist(_, let key), .git(_, _, _, _, let key): return key
            case .directory: return nil
            }
        }

        /// The project name the user asked for, if any.
        var expectedName: String? {
            if case .git(_, _, _, let name, _) = self { return name }
            return nil
        }
    }

    private func build(source: String, spec: SourceSpec, interpreter: Interpreter, store: CacheStore?) -> SourceResult {
        var result = SourceResult(source: URLRedaction.redact(source), status: .failed, seconds: 0)
        do {
            let prepared = try prepare(spec, interpreter: interpreter, store: store, result: &result)
            if let store, let key = prepared.key {
                try buildCached(prepared, key: key, interpreter: interpreter, store: store, result: &result)
            } else {
                try buildUncached(prepared, interpreter: interpreter, result: &result, store: store)
            }
        } catch let error as ArchiveError {
            result.error = error.description
            if case .invalidWheel = error { result.failure = .build } else { result.failure = .input }
        } catch let error as BuildError {
            fail(&result, error)
        } catch let error as GitError {
            result.error = error.description
            result.failure = error.isInputError ? .input : .build
        } catch let error as PipelineError {
            result.error = error.description
            result.failure = .input
        } catch {
            result.error = "\(error)"
            result.failure = .build
        }
        if result.failure != nil { result.status = .failed }
        if store != nil && result.failure == .build { counters.bump(\.failures) }
        return result
    }

    /// Computes the key: hashes an sdist, resolves a git revision to its commit.
    private func prepare(_ spec: SourceSpec, interpreter: Interpreter, store: CacheStore?,
                         result: inout SourceResult) throws -> Prepared {
        switch spec {
        case .sdistFile(let path):
            let digest = try FileDigest.sha256(path)
            let key = CacheKey(source: .sdist(sha256: digest.hex), options: request.options, interpreter: interpreter)
            result.key = key.digest
            return .sdist(path: path, key: key)
        case .directory(let path):
            return .directory(path: path)
        case .git(let url, let name):
            var refs: GitRefs?
            let commit: String
            if let pinned = url.pinnedCommit {
                commit = pinned  // immutable: no git process on the way to a hit
            } else {
                let git = try GitClient(environment: request.environment)
                let listed = try git.listRemote(url)
                refs = listed
                switch listed.resolve(url.revision) {
                case .commit(let found, _):
                    commit = found
                case .abbreviatedCommit:
                    let abbreviation = url.revision ?? ""
                    commit = try withScratch(store) { scratch in
                        try GitMirrors(client: git, bucket: store?.path(.git)).resolveAbbreviation(
                            url, abbreviation, format: listed.objectFormat ?? .sha1, scratch: scratch,
                            waiting: { notice("waiting for another wheelcache process that is fetching \(url.redacted)") })
                    }
                case .unknown:
                    if url.revision == nil, listed.refs.isEmpty {
                        throw GitError.unknownRevision(url: url.redacted, revision: "HEAD (the repository is empty)")
                    }
                    throw GitError.unknownRevision(url: url.redacted, revision: url.revision ?? "HEAD")
                }
                result.resolvedFrom = url.revision ?? "HEAD"
            }
            result.commit = commit
            let key = CacheKey(source: .git(commit: commit, subdirectory: url.subdirectory),
                               options: request.options, interpreter: interpreter)
            result.key = key.digest
            return .git(url, commit: commit, refs: refs, name: name, key: key)
        }
    }

    /// Runs `body` in a private scratch folder: a staging folder of the cache (under the shared
    /// cache lock, so purge cannot pull it away), or a temporary folder without a cache.
    private func withScratch<T>(_ store: CacheStore?, _ body: (String) throws -> T) throws -> T {
        if let store {
            let cacheLock = try store.lockCache(.shared) {
                notice("waiting for a cache-wide operation (purge or prune) to finish")
            }
            defer { cacheLock.unlock() }
            let staging = try store.makeStaging()
            defer { staging.remove() }
            return try body(staging.path)
        }
        let work = NSTemporaryDirectory() + "wheelcache-work-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        return try body(work)
    }

    /// Lays the source tree out in `work` (unpack, copy or check out) and returns its folder.
    private func materialize(_ prepared: Prepared, work: String) throws -> String {
        let src = work + "/src"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        switch prepared {
        case .sdist(let path, _):
            return try SdistUnpacker().unpack(path, into: src)
        case .directory(let path):
            let tree = src + "/" + (path as NSString).lastPathComponent
            try SourceTreeCopy.copy(path, to: tree)
            return tree
        case .git(let url, let commit, let refs, _, _):
            let git = try GitClient(environment: request.environment)
            // The tags at the commit come along, so setuptools-scm and friends see a release.
            let listed = try refs ?? git.listRemote(url)
            let store = request.cacheRoot.map(CacheStore.init(root:))
            return try GitMirrors(client: git, bucket: store?.path(.git)).checkout(
                url, commit: commit, tags: listed.tags(at: commit), into: src + "/checkout", scratch: work,
                waiting: { notice("waiting for another wheelcache process that is fetching \(url.redacted)") })
        }
    }

    private func fail(_ result: inout SourceResult, _ error: BuildError) {
        result.error = error.description
        result.failure = error.isInputError ? .input : .build
        if case .failed(let failure) = error {
            result.log = failure.log
            result.logTail = failure.tail
        }
    }

    /// The cached path: look up; on a miss (or `--no-binary`) lay the source out in staging,
    /// take the key's lock, look up again (another process may have built it meanwhile),
    /// build, publish. The source is laid out before the key lock so that a source that
    /// cannot be fetched or unpacked leaves nothing in the cache.
    private func buildCached(_ prepared: Prepared, key: CacheKey, interpreter: Interpreter, store: CacheStore,
                             result: inout SourceResult) throws {
        let label = prepared.label
        // Shared for the whole lookup-to-delivery, so prune and purge never pull an entry away
        // from under a hit or a build. Best effort: a read-only cache still serves hits (a miss
        // then fails where it has to write, with that error).
        let cacheLock = try? store.lockCache(.shared) {
            notice("waiting for a cache-wide operation (purge, prune, remove) to finish")
        }
        defer { cacheLock?.unlock() }
        var replacing = false
        switch store.lookup(key.digest) {
        case .hit(let entry):
            if !request.noBinary.matches(entry.manifest.name) {
                return try deliver(entry, status: .hit, expecting: prepared.expectedName, result: &result)
            }
            replacing = true
        case .corrupt(_, let reason):
            warnCorrupt(key, label, reason)
            replacing = true
        case .miss:
            break
        }
        store.clearStaleStaging()
        let staging = try store.makeStaging()
        defer { staging.remove() }
        let tree = try materialize(prepared, work: staging.path)
        let keyLock = try store.lockKey(key.digest) {
            notice("waiting for another wheelcache process that is building \(label) (key \(key.digest.prefix(12)))")
        }
        defer { keyLock.unlock() }
        switch store.lookup(key.digest) {
        case .hit(let entry):
            if !replacing || !request.noBinary.matches(entry.manifest.name) {
                return try deliver(entry, status: .hit, expecting: prepared.expectedName, result: &result)
            }
            replacing = true
        case .corrupt(_, let reason):
            if !replacing { warnCorrupt(key, label, reason) }
            try store.evict(key.digest)
            replacing = true
        case .miss:
            break
        }
        counters.bump(\.misses)
        let log = staging.path + "/build.log"
        let built: (wheel: String, validated: ValidatedWheel, outcome: BuildOutcome)
        do {
            built = try buildTree(tree, interpreter: interpreter, work: staging.path, log: log)
        } catch let error as BuildError {
            throw keepLog(log, name: logName(prepared), store: store, error: error)
        }
        try checkName(prepared.expectedName, built.validated.name, result: result)
        let digest = try FileDigest.sha256(built.wheel)
        let manifest = EntryManifest(
            key: key.digest, keyInputs: key.inputs, name: built.validated.name, version: built.validated.version,
            wheel: (built.wheel as NSString).lastPathComponent, sha256: digest.hex, size: digest.size,
            created: ISO8601DateFormatter().string(from: Date()), source: label,
            interpreter: "\(interpreter.executable) (\(interpreter.version))", backend: built.outcome.backend,
            buildRequirements: built.outcome.requirements, buildSeconds: built.outcome.seconds)
        let entry = try store.publish(wheel: built.wheel, manifest: manifest, extraFiles: [log])
        counters.bump(\.builds)
        try deliver(entry, status: replacing ? .rebuilt : .built, expecting: nil, result: &result)
    }

    private func warnCorrupt(_ key: CacheKey, _ label: String, _ reason: String) {
        counters.bump(\.corrupt)
        notice("warning: cache entry \(key.digest) for \(label) is corrupt (\(reason)); evicting it and building again")
    }

    /// A `name @ URL` or `#egg=` source must build the project it names.
    private func checkName(_ expected: String?, _ actual: String, result: SourceResult) throws {
        guard let expected, ProjectName.normalize(expected) != ProjectName.normalize(actual) else { return }
        throw PipelineError.wrongProject(source: result.source, expected: expected, actual: actual)
    }

    /// A name for a failed build's kept log.
    private func logName(_ prepared: Prepared) -> String {
        switch prepared {
        case .sdist(let path, _), .directory(let path): return (path as NSString).lastPathComponent
        case .git(let url, let commit, _, _, _):
            let repository = (url.cleanRemote as NSString).lastPathComponent
            return "\(repository)-\(commit.prefix(12))".replacingOccurrences(of: ":", with: "_")
        }
    }

    /// Builds without storing: local folders always, other sources under `--no-cache-dir`.
    private func buildUncached(_ prepared: Prepared, interpreter: Interpreter, result: inout SourceResult,
                               store: CacheStore? = nil) throws {
        let work: String
        var staging: StagingDirectory?
        var cacheLock: FileLock?
        defer { cacheLock?.unlock() }
        if let store {
            cacheLock = try store.lockCache(.shared) {
                notice("waiting for a cache-wide operation (purge, prune, remove) to finish")
            }
            staging = try store.makeStaging()
            work = staging!.path
        } else {
            work = NSTemporaryDirectory() + "wheelcache-build-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        }
        defer {
            if let staging { staging.remove() } else { try? FileManager.default.removeItem(atPath: work) }
        }
        let log = work + "/build.log"
        let tree = try materialize(prepared, work: work)
        let built: (wheel: String, validated: ValidatedWheel, outcome: BuildOutcome)
        do {
            built = try buildTree(tree, interpreter: interpreter, work: work, log: log)
        } catch let error as BuildError {
            throw keepLog(log, name: logName(prepared), store: store, error: error)
        }
        try checkName(prepared.expectedName, built.validated.name, result: result)
        let digest = try FileDigest.sha256(built.wheel)
        result.name = built.validated.name
        result.version = built.validated.version
        result.sha256 = digest.hex
        result.wheel = try CacheStore.deliver(built.wheel, to: request.wheelDirectory)
        result.status = .uncached
        if store != nil { counters.bump(\.uncached) }
    }

    private func buildTree(_ tree: String, interpreter: Interpreter, work: String,
                           log: String) throws -> (wheel: String, validated: ValidatedWheel, outcome: BuildOutcome) {
        let builder = WheelBuilder(interpreter: interpreter, options: request.options, index: request.index,
                                   environment: request.environment)
        let outcome = try builder.build(tree: tree, work: work + "/build", log: log)
        let validated = try WheelValidator().validate(outcome.wheel)
        return (outcome.wheel, validated, outcome)
    }

    private func deliver(_ entry: CachedEntry, status: SourceStatus, expecting name: String?,
                         result: inout SourceResult) throws {
        try checkName(name, entry.manifest.name, result: result)
        if status == .hit { counters.bump(\.hits) }
        result.name = entry.manifest.name
        result.version = entry.manifest.version
        result.sha256 = entry.manifest.sha256
        result.wheel = try CacheStore.deliver(entry.wheelPath, to: request.wheelDirectory)
        result.status = status
    }

    /// Moves a failed build's log where the user can read it after staging is cleared.
    private func keepLog(_ log: String, name: String, store: CacheStore?, error: BuildError) -> BuildError {
        guard case .failed(var failure) = error, FileManager.default.fileExists(atPath: log) else { return error }
        let folder = store?.path(.logs) ?? (NSTemporaryDirectory() + "wheelcache-logs")
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stamp = Int(Date().timeIntervalSince1970)
        let kept = folder + "/\(name)-\(stamp)-\(getpid()).log"
        guard (try? FileManager.default.moveItem(atPath: log, toPath: kept)) != nil else { return error }
        failure.log = kept
        return .failed(failure)
    }
}
