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

/// Ties the stages together for each source (SourceRun.swift): key it (SourceKeying), decide
/// (Decision), and on a miss materialize, build, store in one transaction, deliver.
public struct BuildPipeline: Sendable {
    public let request: BuildRequest
    /// Receives warnings and notices (evictions, waiting for locks) as they happen.
    public let notice: @Sendable (String) -> Void
    /// This run's contribution to the cache's statistics.
    let counters = RunCounters()
    /// Index options after merging the requirement files'; see `fullIndex`.
    var index: IndexSettings
    /// Which pins come only from sdists or only as wheels (`--only-binary`, and the files').
    var formats = FormatControl()
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

    var downloads: Downloads { Downloads(http: http) }

    /// The remote, when one is configured and usable.
    var remoteCache: RemoteCache? { if case .success(let cache) = remote { cache } else { nil } }

    /// The run's sources after collection and marker evaluation, with the interpreter; or
    /// the results that end the run early (bad input, no interpreter).
    enum Collected {
        case ready([PlannedSource], Interpreter, BuildPipeline)
        case stopped(BuildReport)
    }

    func collect() -> Collected {
        var collection = SourceCollection.collect(request)
        if case .failure(let error) = remote { collection.failRun(SourceCollection.failure(request.remote?.url ?? "--remote", error.description)) }
        if let store, let problem = store.ownershipProblem() ?? store.adoptionProblem() ?? store.linkProblem() {
            collection.failRun(SourceCollection.failure(store.root, problem))
        }
        if let problem = SourceCollection.wheelFolderProblem(request.wheelDirectory) {
            collection.failRun(SourceCollection.failure(request.wheelDirectory, problem))
        }
        // Bad sources fail the run before anything is built or written.
        if !collection.errors.isEmpty { return .stopped(BuildReport(results: collection.stoppedResults)) }
        var pipeline = self
        pipeline.index = collection.index
        pipeline.formats = collection.formats
        let probe = InterpreterProbe(memory: store?.path(.interpreters), environment: request.environment)
        let interpreter: Interpreter
        // Wheels from an index are chosen by tag; only then are the interpreter's tags read.
        let needsTags = collection.sources.contains { source in
            switch source.spec {
            case .pin: return true
            case .locked(let package): return !package.wheels.isEmpty
            case .url(let url, _): return URLFileName.of(url).lowercased().hasSuffix(".whl")
            default: return false
            }
        }
        do { interpreter = try probe.interpreter(request.python, withTags: needsTags) } catch {
            return .stopped(BuildReport(results: collection.sources.map { source in
                var result = SourceResult(source: source.label, status: .failed, seconds: 0)
                result.failed(error, location: nil)
                return result
            }))
        }
        let environment = interpreter.markerEnvironment ?? [:]
        let problems = collection.problems(for: interpreter, environment: environment)
        if !problems.isEmpty { return .stopped(BuildReport(results: problems)) }
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
            var result = pipeline.process(source, interpreter: interpreter)
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
        var report = BuildReport(results: results)
        report.unwritten = writeManifests(sources: sources, results: results)
        return report
    }

    /// `--requirements-out` and `--pylock-out`: written whole, and only when every source
    /// produced a wheel; returns what could not be written, and why.
    private func writeManifests(sources: [PlannedSource], results: [SourceResult]) -> [String] {
        let outputs = [request.requirementsOut.map { ($0, InstallManifest.Format.requirements) },
                       request.pylockOut.map { ($0, InstallManifest.Format.pylock) }].compactMap { $0 }
        guard !outputs.isEmpty else { return [] }
        let failed = results.filter { $0.status == .failed }.count
        if failed > 0 { return outputs.map { "\($0.0) was not written: \(failed) of \(results.count) sources failed" } }
        let manifest = InstallManifest(sources: sources, results: results)
        var unwritten: [String] = []
        for (path, format) in outputs {
            do { try manifest.write(format, to: path) } catch {
                unwritten.append("\(path) was not written: \(error)")
            }
        }
        return unwritten
    }

    /// Keeps the cache under `--max-size` after storing. Only when no other process is using
    /// the cache: a busy cache is pruned by whichever run stores last.
    private func prune(_ store: CacheStore, to maxSize: Int64) {
        guard let lock = FileLock.tryExclusive(path: store.root + "/.lock") else { return }
        defer { lock.unlock() }
        let report = CacheMaintenance(store: store).prune(maxSize: maxSize, maxAge: nil, dryRun: false)
        if report.freed.bytes > 0 {
            let entries = report.entriesRemoved
            notice("pruned the cache to stay under \(ByteSize.format(maxSize)): removed \(entries) entries and \(report.removed.count - entries) other items (\(ByteSize.format(report.freed.bytes)))")
        }
    }
}
