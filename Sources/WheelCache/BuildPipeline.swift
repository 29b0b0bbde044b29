import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelArchive
import WheelBuild
import WheelFetch
import WheelModel
import WheelStore
import WheelSystem

/// What `wheelcache build` (or `plan`) was asked to do.
public struct BuildRequest: Sendable {
    public var sources: [String]
    /// `-r` files, read in order after `sources`.
    public var requirementFiles: [String]
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
    /// Sources worked on at once (`-j`); nil for the number of CPUs.
    public var jobs: Int?
    /// The shared remote cache, if any.
    public var remote: RemoteSettings?

    public init(sources: [String], requirementFiles: [String] = [], wheelDirectory: String, cacheRoot: String?,
                noBinary: PackageSelector, python: String?, options: BuildOptions, index: IndexOptions,
                environment: [String: String], maxSize: Int64? = nil, jobs: Int? = 1, remote: RemoteSettings? = nil) {
        self.remote = remote
        self.sources = sources
        self.requirementFiles = requirementFiles
        self.wheelDirectory = wheelDirectory
        self.cacheRoot = cacheRoot
        self.noBinary = noBinary
        self.python = python
        self.options = options
        self.index = index
        self.environment = environment
        self.maxSize = maxSize
        self.jobs = jobs.map { max(1, $0) }
    }
}

/// `--remote`, `--remote-endpoint`, `--remote-write` (or `WHEELCACHE_REMOTE*`).
public struct RemoteSettings: Sendable {
    public var url: String
    public var endpoint: String?
    public var write: Bool

    public init(url: String, endpoint: String?, write: Bool) {
        self.url = url
        self.endpoint = endpoint
        self.write = write
    }
}

/// Hears about sources as they start and finish (for progress output). Called from worker
/// threads.
public struct BuildProgress: Sendable {
    public var started: @Sendable (_ index: Int, _ label: String) -> Void
    public var finished: @Sendable (_ index: Int, _ result: SourceResult) -> Void

    public init(started: @escaping @Sendable (Int, String) -> Void, finished: @escaping @Sendable (Int, SourceResult) -> Void) {
        self.started = started
        self.finished = finished
    }
}

/// Ties the parts together for each source: make its key (hash, resolve, ask the index), look
/// up, and on a miss fetch or build under the key's lock, validate, publish, deliver.
public struct BuildPipeline: Sendable {
    public let request: BuildRequest
    /// Receives warnings and notices (evictions, waiting for locks) as they happen.
    public let notice: @Sendable (String) -> Void
    /// This run's contribution to the cache's statistics.
    let counters = Counters()
    /// Index options after merging the requirement files'; see `fullIndex`.
    var index: IndexSettings
    /// `index` with pip's settings under it, read when needed (pins, builds).
    var fullIndex: IndexSettings { index.withPipSettings(request.environment) }
    let store: CacheStore?
    let http: HTTPCache
    /// `wheelcache plan`: make keys without downloading sdists or wheels, deliver nothing.
    var planning = false
    /// The shared remote cache (only with a local cache), or why it could not be set up.
    let remote: Result<RemoteCache, RemoteError>?

    public init(request: BuildRequest, notice: @escaping @Sendable (String) -> Void) {
        self.request = request
        self.notice = notice
        index = IndexSettings(request.index)
        store = request.cacheRoot.map(CacheStore.init(root:))
        http = HTTPCache(folder: store?.path(.http), client: HTTPClient())
        if let settings = request.remote, request.cacheRoot != nil {
            do {
                remote = .success(try RemoteCache(url: settings.url, endpoint: settings.endpoint, writable: settings.write,
                                                  environment: request.environment))
            } catch { remote = .failure(error) }
        } else {
            remote = nil
        }
    }

    /// The remote, when one is configured and usable.
    var remoteCache: RemoteCache? { if case .success(let cache) = remote { cache } else { nil } }

    /// Statistics gathered during a run, written once at its end.
    final class Counters: @unchecked Sendable {
        private let lock = Lock()
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

    /// The run's sources after collection and marker evaluation, with the interpreter; or
    /// the results that end the run early (bad input, no interpreter).
    enum Collected {
        case ready([PlannedSource], Interpreter, BuildPipeline)
        case stopped(BuildReport)
    }

    func collect() -> Collected {
        var collection = SourceCollection.collect(request)
        if case .failure(let error) = remote { collection.fail(SourceCollection.failure(request.remote?.url ?? "--remote", error.description)) }
        if let store, let problem = store.ownershipProblem() { collection.fail(SourceCollection.failure(store.root, problem)) }
        // Bad sources fail the run before anything is built or written.
        if !collection.errors.isEmpty { return .stopped(BuildReport(results: collection.stoppedResults)) }
        var pipeline = self
        pipeline.index = collection.index
        let probe = InterpreterProbe(memory: store?.path(.interpreters), environment: request.environment)
        let interpreter: Interpreter
        // Wheels from an index are chosen by tag; only then are the interpreter's tags read.
        let needsTags = collection.sources.contains { source in
            switch source.spec {
            case .pin: return true
            case .url(let url, _): return URLFileName.of(url).lowercased().hasSuffix(".whl")
            default: return false
            }
        }
        do { interpreter = try probe.interpreter(request.python, withTags: needsTags) } catch {
            return .stopped(BuildReport(results: collection.sources.map { source in
                var result = SourceResult(source: source.label, status: .failed, seconds: 0)
                result.error = error.description
                result.failure = error.isInputError ? .input : .build
                return result
            }))
        }
        let environment = interpreter.markerEnvironment ?? [:]
        let sources = collection.sources.filter { source in
            guard let marker = source.marker, !marker.evaluate(environment) else { return true }
            notice("skipping \(source.location.map { $0 + ": " } ?? "")\(source.label): its environment marker does not match the target interpreter")
            return false
        }
        return .ready(sources, interpreter, pipeline)
    }

    /// Runs every source, `jobs` at a time; a failed one does not stop the others. Results
    /// come back in input order.
    public func run(progress: BuildProgress? = nil) -> BuildReport {
        let (sources, interpreter, pipeline): ([PlannedSource], Interpreter, BuildPipeline)
        switch collect() {
        case .stopped(let report): return report
        case .ready(let s, let i, let p): (sources, interpreter, pipeline) = (s, i, p)
        }
        // Held shared for the whole run, so purge and prune never pull an entry or a staging
        // folder away from under a hit or a build (best effort: a read-only cache still serves
        // hits; a miss then fails where it has to write, with that error).
        let runLock = try? store?.lockCache(.shared) {
            notice("waiting for a cache-wide operation (purge, prune, remove) to finish")
        }
        // Counting CPUs reads cgroup files: only worth it when there is more than one source.
        let width = request.jobs ?? (sources.count > 1 ? ProcessInfo.processInfo.activeProcessorCount : 1)
        let results = Parallel.mapOnThreads(Array(sources.indices), width: width) { index in
            let source = sources[index]
            progress?.started(index, source.label)
            let started = Date()
            var result = pipeline.build(source, interpreter: interpreter)
            result.seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
            progress?.finished(index, result)
            return result
        }
        runLock?.unlock()
        if let store {
            // Misses clear dead processes' staging folders before they build; a run of hits
            // clears them here, once its results are out (one read of an empty folder).
            store.clearStaleStaging()
            store.record(counters.value)
            let stored = counters.value.builds + counters.value.downloads + counters.value.remoteHits
            if let maxSize = request.maxSize, stored > 0 { prune(store, to: maxSize) }
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

    /// One source, start to finish, errors turned into a failed result.
    func build(_ source: PlannedSource, interpreter: Interpreter) -> SourceResult {
        var result = SourceResult(source: source.label, status: .failed, seconds: 0)
        // Made only if a download or a fetch needs it: a hit writes nothing (a read-only cache
        // still serves hits).
        let scratch = Scratch(store: store)
        defer { scratch.remove() }
        do {
            let prepared = try prepare(source, interpreter: interpreter, scratch: scratch, result: &result)
            switch prepared {
            case .delivered:
                break
            case .wheel(let wheel):
                try fetchWheel(wheel, scratch: scratch, result: &result)
            default:
                if let store, let key = prepared.key {
                    try buildCached(prepared, key: key, interpreter: interpreter, store: store, result: &result)
                } else {
                    try buildUncached(prepared, interpreter: interpreter, result: &result)
                }
            }
        } catch let error as ArchiveError {
            result.error = error.description
            switch error {
            case .invalidWheel, .cannotWrite: result.failure = .build  // not the input's fault
            default: result.failure = .input
            }
        } catch let error as BuildError {
            fail(&result, error)
        } catch let error as GitError {
            result.error = error.description
            result.failure = error.isInputError ? .input : .build
        } catch let error as FetchError {
            result.error = error.description
            result.failure = .input
        } catch let error as PipelineError {
            result.error = error.description
            result.failure = .input
        } catch {
            result.error = "\(error)"
            result.failure = .build
        }
        if result.failure != nil {
            result.status = .failed
            if let location = source.location, let error = result.error, !error.hasPrefix(location) {
                result.error = "\(location): \(error)"
            }
        }
        if store != nil && result.failure == .build { counters.bump(\.failures) }
        return result
    }

    /// A private scratch folder made on first use: a staging folder of the cache, or a
    /// temporary folder without a cache. Downloads and abbreviated-commit fetches happen there.
    final class Scratch {
        private let store: CacheStore?
        private var staging: StagingDirectory?
        private var temporary: String?

        init(store: CacheStore?) { self.store = store }

        var path: String {
            get throws {
                if let staging { return staging.path }
                if let temporary { return temporary }
                if let store {
                    let made = try store.makeStaging()
                    staging = made
                    return made.path
                }
                let work = PathText.temporaryDirectory() + "wheelcache-work-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
                temporary = work
                return work
            }
        }

        func remove() {
            staging?.remove()
            if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
        }
    }
}
