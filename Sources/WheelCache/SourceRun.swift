import FoundationEssentials
import WheelArchive
import WheelBuild
import WheelModel
import WheelStore
import WheelSystem

// One source, start to finish: key (stage 1), decide (2), then act on the decision:
// materialize (3), build (4), store in one transaction (5), deliver (6).

extension BuildPipeline {
    /// Runs one source; errors become a failed result.
    func process(_ source: PlannedSource, interpreter: Interpreter) -> SourceResult {
        var result = SourceResult(source: source.label, status: .failed, seconds: 0)
        // Made only if a download or a fetch needs it: a hit writes nothing (a read-only cache
        // still serves hits).
        let scratch = Scratch(store: store)
        defer { scratch.remove() }
        do {
            let keyed = try key(source, interpreter: interpreter, scratch: scratch)
            result.keyed(keyed)
            result.delivered(try act(on: decide(keyed), keyed, source: source.label, interpreter: interpreter,
                                     scratch: scratch))
        } catch {
            result.failed(error, location: source.location)
            if store != nil && result.failure != .input { counters.bump(\.failures) }
        }
        return result
    }

    private func act(on decision: Decision, _ keyed: KeyedSource, source: String, interpreter: Interpreter,
                     scratch: Scratch) throws -> Delivered {
        switch decision {
        case .hit(let entry):
            store?.markUsed(entry)
            return try deliver(entry, status: .hit, expectation: keyed.expectation, source: source)
        case .download(let wheel, let corrupt):
            return try download(wheel, keyed, corrupt: corrupt, source: source, scratch: scratch)
        case .build(let buildable, let key, let replacing, let askRemote):
            guard let store else { throw PipelineError.unavailable(source: source, reason: "no cache to store in") }
            return try buildStored(buildable, keyed, key: key, replacing: replacing, askRemote: askRemote, store: store,
                                   source: source, interpreter: interpreter)
        case .uncached(let buildable):
            return try buildUnstored(buildable, keyed, source: source, interpreter: interpreter, scratch: scratch)
        case .unavailable(let reason):
            throw PipelineError.unavailable(source: source, reason: reason)
        }
    }

    /// The miss path: lay the source out in staging (before the key's lock, so a source that
    /// cannot be fetched or unpacked leaves nothing in the cache), ask the remote, else build
    /// under the key's lock; publish, upload, deliver.
    private func buildStored(_ buildable: BuildableSource, _ keyed: KeyedSource, key: CacheKey,
                             replacing: Decision.Replacement?, askRemote: Bool, store: CacheStore, source: String,
                             interpreter: Interpreter) throws -> Delivered {
        if case .corrupt(let reason) = replacing {
            warnCorrupt(counters: counters, notice: notice, key: key, label: keyed.label, reason: reason)
        }
        store.clearStaleStaging()
        MemoryTrees.clearStale()
        let staging = try store.makeStaging()
        defer { staging.remove() }
        let transaction = CacheTransaction(store: store, key: key, expectation: keyed.expectation, source: source,
                                           label: keyed.label, counters: counters, notice: notice)
        if askRemote, let remote = remoteCache,
           let candidate = fetchRemote(remote, key: key, keyed: keyed, buildable: buildable, interpreter: interpreter,
                                       source: source, staging: staging.path) {
            let stored = try transaction.run(replacing: replacing, waiting: "waiting for another wheelcache process that is storing key \(key.digest.prefix(12))") { candidate }
            return try deliver(stored.entry, status: stored.status, expectation: keyed.expectation, source: source)
        }
        let tree = try materialize(buildable, label: keyed.label, work: staging.path)
        defer { tree.finish() }
        let stored = try transaction.run(replacing: replacing, waiting: "waiting for another wheelcache process that is building \(keyed.label) (key \(key.digest.prefix(12)))") {
            counters.bump(\.misses)
            let built = try buildWheel(tree, interpreter: interpreter, work: staging.path,
                                       logName: buildable.logName(label: keyed.label))
            let digest = try FileDigest.sha256(built.wheel)
            let manifest = EntryManifest(
                key: key.digest, keyInputs: key.inputs, name: built.validated.name, version: built.validated.version,
                wheel: PathText.lastComponent(built.wheel), sha256: digest.hex, size: digest.size,
                created: Date().formatted(.iso8601), source: URLRedaction.storable(keyed.label),
                interpreter: "\(interpreter.executable) (\(interpreter.version))", backend: built.outcome.backend,
                buildRequirements: built.outcome.requirements, buildSeconds: built.outcome.seconds)
            return Candidate(wheel: built.wheel, manifest: manifest, extraFiles: [built.log], status: .built, counter: \.builds)
        }
        if stored.status == .built || stored.status == .rebuilt { upload(stored.entry, staging: staging.path) }
        return try deliver(stored.entry, status: stored.status, expectation: keyed.expectation, source: source)
    }

    /// Builds without storing: local folders always, other sources under `--no-cache-dir`.
    private func buildUnstored(_ buildable: BuildableSource, _ keyed: KeyedSource, source: String,
                               interpreter: Interpreter, scratch: Scratch) throws -> Delivered {
        MemoryTrees.clearStale()
        let work = try scratch.path
        let tree = try materialize(buildable, label: keyed.label, work: work)
        defer { tree.finish() }
        let built = try buildWheel(tree, interpreter: interpreter, work: work, logName: buildable.logName(label: keyed.label))
        try keyed.expectation.check(name: built.validated.name, version: built.validated.version, source: source)
        let digest = try FileDigest.sha256(built.wheel)
        if store != nil { counters.bump(\.uncached) }
        return try deliverUnstored(built.wheel, name: built.validated.name, version: built.validated.version,
                                   sha256: digest.hex, status: .uncached)
    }

    /// A wheel taken as it is: downloaded through the HTTP cache, checked (hash, full
    /// validation, what was asked), stored under its SHA-256 and delivered as `downloaded`.
    private func download(_ wheel: WheelDownload, _ keyed: KeyedSource, corrupt: String?, source: String,
                          scratch: Scratch) throws -> Delivered {
        if let corrupt, let key = keyed.key {
            warnCorrupt(counters: counters, notice: notice, key: key, label: wheel.filename, reason: corrupt)
        }
        let fetched = try downloads.fetch(wheel.url, filename: wheel.filename, expected: wheel.expected, other: wheel.other,
                                          scratch: try scratch.path)
        let path = fetched.path
        let validated: ValidatedWheel
        do { validated = try WheelValidator().validate(path) } catch {
            throw PipelineError.unsupportedSource(URLRedaction.redact(wheel.url), "the downloaded wheel is invalid: \(error)")
        }
        try keyed.expectation.check(name: validated.name, version: validated.version, source: source)
        let key = CacheKey(source: .wheel(sha256: fetched.sha256))
        guard let store else {
            return try deliverUnstored(path, name: validated.name, version: validated.version, sha256: fetched.sha256,
                                       status: .downloaded, key: key.digest)
        }
        let transaction = CacheTransaction(store: store, key: key, expectation: keyed.expectation, source: source,
                                           label: wheel.filename, counters: counters, notice: notice)
        let stored = try transaction.run(replacing: corrupt.map { .corrupt($0) }, waiting: "waiting for another download of \(wheel.filename)") {
            let manifest = EntryManifest(
                key: key.digest, keyInputs: key.inputs, name: validated.name, version: validated.version,
                wheel: wheel.filename, sha256: fetched.sha256, size: fetched.size,
                created: Date().formatted(.iso8601), source: URLRedaction.storable(wheel.url),
                interpreter: "-", backend: "downloaded", buildRequirements: [], buildSeconds: 0)
            return Candidate(wheel: path, manifest: manifest, status: .downloaded, counter: \.downloads)
        }
        return try deliver(stored.entry, status: stored.status, expectation: keyed.expectation, source: source)
    }
}
