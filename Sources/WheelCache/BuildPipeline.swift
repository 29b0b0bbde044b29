import Foundation
import WheelArchive
import WheelBuild
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

    public init(sources: [String], wheelDirectory: String, cacheRoot: String?, noBinary: PackageSelector,
                python: String?, options: BuildOptions, index: IndexOptions, environment: [String: String]) {
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

    public init(request: BuildRequest, notice: @escaping @Sendable (String) -> Void) {
        self.request = request
        self.notice = notice
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
                var result = SourceResult(source: source, status: .failed, seconds: 0)
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
                var result = SourceResult(source: source, status: .failed, seconds: 0)
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
        return BuildReport(results: results)
    }

    private func build(source: String, spec: SourceSpec, interpreter: Interpreter, store: CacheStore?) -> SourceResult {
        var result = SourceResult(source: source, status: .failed, seconds: 0)
        do {
            switch spec {
            case .sdistFile(let path):
                let digest = try FileDigest.sha256(path)
                let key = CacheKey(source: .sdist(sha256: digest.hex), options: request.options, interpreter: interpreter)
                result.key = key.digest
                if let store {
                    try buildCached(path: path, key: key, interpreter: interpreter, store: store, result: &result)
                } else {
                    try buildUncached(source: spec, interpreter: interpreter, result: &result)
                }
            case .directory:
                try buildUncached(source: spec, interpreter: interpreter, result: &result, store: store)
            }
        } catch let error as ArchiveError {
            result.error = error.description
            if case .invalidWheel = error { result.failure = .build } else { result.failure = .input }
        } catch let error as BuildError {
            fail(&result, error)
        } catch {
            result.error = "\(error)"
            result.failure = .build
        }
        if result.failure != nil { result.status = .failed }
        return result
    }

    private func fail(_ result: inout SourceResult, _ error: BuildError) {
        result.error = error.description
        result.failure = error.isInputError ? .input : .build
        if case .failed(let failure) = error {
            result.log = failure.log
            result.logTail = failure.tail
        }
    }

    /// The cached path: look up; on a miss (or `--no-binary`) take the key's lock, look up
    /// again (another process may have built it meanwhile), build, publish.
    private func buildCached(path: String, key: CacheKey, interpreter: Interpreter, store: CacheStore,
                             result: inout SourceResult) throws {
        var replacing = false
        switch store.lookup(key.digest) {
        case .hit(let entry):
            if !request.noBinary.matches(entry.manifest.name) {
                return try deliver(entry, status: .hit, result: &result)
            }
            replacing = true
        case .corrupt(_, let reason):
            warnCorrupt(key, path, reason)
            replacing = true
        case .miss:
            break
        }
        let cacheLock = try store.lockCache(.shared) {
            notice("waiting for a cache-wide operation (purge or prune) to finish")
        }
        defer { cacheLock.unlock() }
        let keyLock = try store.lockKey(key.digest) {
            notice("waiting for another wheelcache process that is building \(path) (key \(key.digest.prefix(12)))")
        }
        defer { keyLock.unlock() }
        store.clearStaleStaging()
        switch store.lookup(key.digest) {
        case .hit(let entry):
            if !replacing || !request.noBinary.matches(entry.manifest.name) {
                return try deliver(entry, status: .hit, result: &result)
            }
            replacing = true
        case .corrupt(_, let reason):
            if !replacing { warnCorrupt(key, path, reason) }
            try store.evict(key.digest)
            replacing = true
        case .miss:
            break
        }
        let staging = try store.makeStaging()
        defer { staging.remove() }
        let log = staging.path + "/build.log"
        let built: (wheel: String, validated: ValidatedWheel, outcome: BuildOutcome)
        do {
            built = try buildSdist(path, interpreter: interpreter, work: staging.path, log: log)
        } catch let error as BuildError {
            throw keepLog(log, name: (path as NSString).lastPathComponent, store: store, error: error)
        }
        let digest = try FileDigest.sha256(built.wheel)
        let manifest = EntryManifest(
            key: key.digest, keyInputs: key.inputs, name: built.validated.name, version: built.validated.version,
            wheel: (built.wheel as NSString).lastPathComponent, sha256: digest.hex, size: digest.size,
            created: ISO8601DateFormatter().string(from: Date()), source: path,
            interpreter: "\(interpreter.executable) (\(interpreter.version))", backend: built.outcome.backend,
            buildRequirements: built.outcome.requirements, buildSeconds: built.outcome.seconds)
        let entry = try store.publish(wheel: built.wheel, manifest: manifest, extraFiles: [log])
        try deliver(entry, status: replacing ? .rebuilt : .built, result: &result)
    }

    private func warnCorrupt(_ key: CacheKey, _ path: String, _ reason: String) {
        notice("warning: cache entry \(key.digest) for \(path) is corrupt (\(reason)); evicting it and building again")
    }

    /// Builds without storing: local folders always, sdists under `--no-cache-dir`.
    private func buildUncached(source: SourceSpec, interpreter: Interpreter, result: inout SourceResult,
                               store: CacheStore? = nil) throws {
        let work: String
        var staging: StagingDirectory?
        if let store {
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
        let built: (wheel: String, validated: ValidatedWheel, outcome: BuildOutcome)
        do {
            switch source {
            case .sdistFile(let path):
                built = try buildSdist(path, interpreter: interpreter, work: work, log: log)
            case .directory(let path):
                let tree = work + "/src/" + (path as NSString).lastPathComponent
                try SourceTreeCopy.copy(path, to: tree)
                built = try buildTree(tree, interpreter: interpreter, work: work, log: log)
            }
        } catch let error as BuildError {
            throw keepLog(log, name: (source.path as NSString).lastPathComponent, store: store, error: error)
        }
        let digest = try FileDigest.sha256(built.wheel)
        result.name = built.validated.name
        result.version = built.validated.version
        result.sha256 = digest.hex
        result.wheel = try CacheStore.deliver(built.wheel, to: request.wheelDirectory)
        result.status = .uncached
    }

    private func buildSdist(_ path: String, interpreter: Interpreter, work: String,
                            log: String) throws -> (wheel: String, validated: ValidatedWheel, outcome: BuildOutcome) {
        let unpacked = work + "/src"
        try FileManager.default.createDirectory(atPath: unpacked, withIntermediateDirectories: true)
        let tree = try SdistUnpacker().unpack(path, into: unpacked)
        return try buildTree(tree, interpreter: interpreter, work: work, log: log)
    }

    private func buildTree(_ tree: String, interpreter: Interpreter, work: String,
                           log: String) throws -> (wheel: String, validated: ValidatedWheel, outcome: BuildOutcome) {
        let builder = WheelBuilder(interpreter: interpreter, options: request.options, index: request.index,
                                   environment: request.environment)
        let outcome = try builder.build(tree: tree, work: work + "/build", log: log)
        let validated = try WheelValidator().validate(outcome.wheel)
        return (outcome.wheel, validated, outcome)
    }

    private func deliver(_ entry: CachedEntry, status: SourceStatus, result: inout SourceResult) throws {
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
