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

extension BuildPipeline {
    /// Lays the source tree out in `work` (unpack, copy or check out). An sdist is checked
    /// here, where bad input fails before anything is written, and its build system read
    /// from the archive; the tree is then written on another thread while the build starts.
    /// Callers wait for it (`finish`) before removing `work`.
    func materialize(_ prepared: Prepared, work: String) throws -> SourceTree {
        let src = work + "/src"
        switch prepared {
        case .sdist(let path, _, let label, _):
            return try unpacking(path, label: label, work: work)
        case .remoteSdist(let url, let key, let label, _):
            guard case .sdist(let sha256) = key.source else { preconditionFailure("a remote sdist has an sdist key") }
            let path = try download(url, filename: URLFileName.of(url), expected: [sha256], scratch: work)
            return try unpacking(path, label: label, work: work)
        case .wheel, .delivered, .unknown:
            preconditionFailure("wheels are not built")
        case .directory(let path):
            let tree = src + "/" + PathText.lastComponent(path)
            try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
            try SourceTreeCopy.copy(path, to: tree)
            return .ready(tree)
        case .git(let url, let commit, let refs, _, _):
            try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
            let git = try GitClient(environment: request.environment)
            // The tags at the commit come along, so setuptools-scm and friends see a release.
            let listed = try refs ?? git.listRemote(url)
            return .ready(try GitMirrors(client: git, bucket: store?.path(.git)).checkout(
                url, commit: commit, tags: listed.tags(at: commit), into: src + "/checkout", scratch: work,
                waiting: { notice("waiting for another wheelcache process that is fetching \(url.redacted)") }))
        }
    }

    /// The tree goes into memory (`MemoryTrees`) when it may, else into `work/src`.
    private func unpacking(_ archive: String, label: String, work: String) throws -> SourceTree {
        let unpacker = SdistUnpacker()
        let checked = try unpacker.check(archive, reading: ["pyproject.toml", "setup.py"])
        var system: BuildSystem?
        // A pyproject.toml that is a link, or too big to read here, is read from the tree.
        if !checked.present.contains("pyproject.toml") || checked.contents["pyproject.toml"] != nil {
            system = try WheelBuilder.buildSystem(pyproject: checked.contents["pyproject.toml"],
                                                  hasSetupPy: checked.present.contains("setup.py"),
                                                  tree: label, path: label + " (pyproject.toml)")
        }
        var memory: String?
        // The staging folder's lock owns the memory folder, so a killed build's is found.
        if request.environment["WHEELCACHE_MEMORY_TREES"] != "0", !checked.hasCompiledSources,
           access(work + ".lock", F_OK) == 0 {
            memory = MemoryTrees.folder(for: checked.unpackedSize, ownerLock: work + ".lock")
        }
        let src = memory.map { $0 + "/src" } ?? work + "/src"
        do { try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true) } catch {
            if let memory { FileTree.remove(memory) }
            throw error
        }
        return SourceTree(system: system, writing: Pending { try unpacker.write(checked, into: src) }, outside: memory)
    }

    func fail(_ result: inout SourceResult, _ error: BuildError) {
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
    func buildCached(_ prepared: Prepared, key: CacheKey, interpreter: Interpreter, store: CacheStore,
                             result: inout SourceResult) throws {
        let label = prepared.label
        var replacing = false
        var forced = false
        switch store.lookup(key.digest) {
        case .hit(let entry):
            if !request.noBinary.matches(entry.manifest.name) {
                return try deliver(entry, status: .hit, expecting: prepared.expectedName, result: &result)
            }
            replacing = true
            forced = true
        case .corrupt(_, let reason):
            warnCorrupt(key, label, reason)
            replacing = true
        case .miss:
            break
        }
        store.clearStaleStaging()
        MemoryTrees.clearStale()
        let staging = try store.makeStaging()
        defer { staging.remove() }
        // `--no-binary` asks for a build; otherwise the shared cache may have it.
        if !forced, let remote = remoteCache,
           try fetchRemote(remote, key: key, prepared: prepared, store: store, staging: staging.path, result: &result) {
            return
        }
        let tree = try materialize(prepared, work: staging.path)
        defer { tree.finish() }
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
            wheel: PathText.lastComponent(built.wheel), sha256: digest.hex, size: digest.size,
            created: Date().formatted(.iso8601), source: label,
            interpreter: "\(interpreter.executable) (\(interpreter.version))", backend: built.outcome.backend,
            buildRequirements: built.outcome.requirements, buildSeconds: built.outcome.seconds)
        let entry = try store.publish(wheel: built.wheel, manifest: manifest, extraFiles: [log])
        counters.bump(\.builds)
        if let remote = remoteCache, remote.writable {
            do { try remote.upload(wheel: entry.wheelPath, manifest: manifest, scratch: staging.path) } catch {
                counters.bump(\.remoteErrors)
                notice("warning: \(error); the wheel is cached locally only")
            }
        }
        try deliver(entry, status: replacing ? .rebuilt : .built, expecting: nil, result: &result)
    }

    func warnCorrupt(_ key: CacheKey, _ label: String, _ reason: String) {
        counters.bump(\.corrupt)
        notice("warning: cache entry \(key.digest) for \(label) is corrupt (\(reason)); evicting it and building again")
    }

    /// A `name @ URL` or `#egg=` source must build the project it names.
    func checkName(_ expected: String?, _ actual: String, result: SourceResult) throws {
        guard let expected, ProjectName.normalize(expected) != ProjectName.normalize(actual) else { return }
        throw PipelineError.wrongProject(source: result.source, expected: expected, actual: actual)
    }

    /// A name for a failed build's kept log.
    func logName(_ prepared: Prepared) -> String {
        switch prepared {
        case .sdist(_, _, let label, _), .remoteSdist(_, _, let label, _): return URLFileName.of(label)
        case .directory(let path): return PathText.lastComponent(path)
        case .wheel(let wheel): return wheel.filename
        case .delivered, .unknown: return "source"
        case .git(let url, let commit, _, _, _):
            let repository = PathText.lastComponent(url.cleanRemote)
            return "\(repository)-\(commit.prefix(12))".replacing(":", with: "_")
        }
    }

    /// Builds without storing: local folders always, other sources under `--no-cache-dir`.
    func buildUncached(_ prepared: Prepared, interpreter: Interpreter, result: inout SourceResult) throws {
        MemoryTrees.clearStale()
        let scratch = Scratch(store: store)
        defer { scratch.remove() }
        let work = try scratch.path
        let log = work + "/build.log"
        let tree = try materialize(prepared, work: work)
        defer { tree.finish() }
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

    func buildTree(_ tree: SourceTree, interpreter: Interpreter, work: String,
                   log: String) throws -> (wheel: String, validated: ValidatedWheel, outcome: BuildOutcome) {
        let builder = WheelBuilder(interpreter: interpreter, options: request.options, index: fullIndex.options,
                                   environment: request.environment,
                                   environments: store.map { BuildEnvironments(root: $0.path(.envs)) }, http: http)
        let outcome: BuildOutcome
        do { outcome = try builder.build(source: tree, work: work + "/build", log: log) } catch {
            // An sdist that could not be written: its own error, not the build's.
            if let failure = tree.failure { throw failure }
            throw error
        }
        let validated: ValidatedWheel
        do { validated = try WheelValidator().validate(outcome.wheel) } catch {
            guard case .invalidWheel(_, let problem) = error else { throw error }
            // Its path is inside staging, gone when this error is read: name the file instead.
            let name = PathText.lastComponent(outcome.wheel)
            throw ArchiveError.invalidWheel(path: "\(name) (made by the build backend)", problem: problem)
        }
        return (outcome.wheel, validated, outcome)
    }

    func deliver(_ entry: CachedEntry, status: SourceStatus, expecting name: String?,
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
    func keepLog(_ log: String, name: String, store: CacheStore?, error: BuildError) -> BuildError {
        guard case .failed(var failure) = error, FileManager.default.fileExists(atPath: log) else { return error }
        let folder = store?.path(.logs) ?? (PathText.temporaryDirectory() + "wheelcache-logs")
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stamp = Int(Date().timeIntervalSince1970)
        let kept = folder + "/\(name)-\(stamp)-\(getpid()).log"
        guard (try? FileManager.default.moveItem(atPath: log, toPath: kept)) != nil else { return error }
        failure.log = kept
        return .failed(failure)
    }

    /// A wheel taken as it is: from the cache when its SHA-256 is known and cached, else
    /// downloaded through the HTTP cache, checked (hash, full validation, name and version),
    /// stored under its SHA-256 and delivered as `downloaded`.
    func fetchWheel(_ wheel: WheelDownload, scratch: Scratch, result: inout SourceResult) throws {
        if let store, let key = wheel.key {
            switch store.lookup(key.digest) {
            case .hit(let entry): return try deliver(entry, status: .hit, expecting: wheel.name, result: &result)
            case .corrupt(_, let reason):
                warnCorrupt(key, wheel.filename, reason)
                try store.evict(key.digest)
            case .miss: break
            }
        }
        let path = try download(wheel.url, filename: wheel.filename, expected: wheel.expected, scratch: try scratch.path)
        let validated: ValidatedWheel
        do { validated = try WheelValidator().validate(path) } catch {
            throw PipelineError.unsupportedSource(URLRedaction.redact(wheel.url), "the downloaded wheel is invalid: \(error)")
        }
        if let name = wheel.name, ProjectName.normalize(name) != ProjectName.normalize(validated.name) {
            throw PipelineError.wrongProject(source: result.source, expected: name, actual: validated.name)
        }
        if let version = wheel.version, let got = Version(validated.version), Version(version) != nil,
           VersionSpecifier.matches(got, "==", version) == false {
            throw PipelineError.unsupportedSource(URLRedaction.redact(wheel.url), "the wheel is version \(validated.version), not \(version)")
        }
        let digest = try FileDigest.sha256(path)
        let key = CacheKey(source: .wheel(sha256: digest.hex))
        result.key = key.digest
        guard let store else {
            result.name = validated.name
            result.version = validated.version
            result.sha256 = digest.hex
            result.wheel = try CacheStore.deliver(path, to: request.wheelDirectory)
            result.status = .downloaded
            return
        }
        let keyLock = try store.lockKey(key.digest) {
            notice("waiting for another download of \(wheel.filename)")
        }
        defer { keyLock.unlock() }
        if case .hit(let entry) = store.lookup(key.digest) {
            return try deliver(entry, status: .hit, expecting: wheel.name, result: &result)
        }
        let manifest = EntryManifest(
            key: key.digest, keyInputs: key.inputs, name: validated.name, version: validated.version,
            wheel: wheel.filename, sha256: digest.hex, size: digest.size,
            created: Date().formatted(.iso8601), source: URLRedaction.strip(wheel.url),
            interpreter: "-", backend: "downloaded", buildRequirements: [], buildSeconds: 0)
        let entry = try store.publish(wheel: path, manifest: manifest)
        counters.bump(\.downloads)
        try deliver(entry, status: .downloaded, expecting: nil, result: &result)
    }

    /// Looks a local miss up in the remote cache: the record, then the blob, checked by its
    /// SHA-256 and the full wheel validation before it is stored locally. Any fault is a
    /// warning and `false` (build locally); nothing unverified is ever stored.
    func fetchRemote(_ remote: RemoteCache, key: CacheKey, prepared: Prepared, store: CacheStore, staging: String,
                     result: inout SourceResult) throws -> Bool {
        let record: RemoteRecord
        let wheel: String
        do {
            guard let found = try remote.record(for: key.digest, scratch: staging) else {
                counters.bump(\.remoteMisses)
                return false
            }
            record = found
            let folder = staging + "/remote"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            wheel = folder + "/" + record.manifest.wheel
            try remote.blob(record, to: wheel)
            let validated = try WheelValidator().validate(wheel)
            guard ProjectName.normalize(validated.name) == ProjectName.normalize(record.manifest.name),
                  validated.version == record.manifest.version else {
                throw RemoteError.invalid(remote: remote.display, what: "the wheel for key \(key.digest.prefix(12)) is not the project its record names")
            }
        } catch {
            counters.bump(\.remoteErrors)
            notice("warning: \(error is ArchiveError ? "remote cache \(remote.display) sent an invalid wheel for key \(key.digest.prefix(12)): \(error)" : "\(error)"); building locally")
            return false
        }
        let keyLock = try store.lockKey(key.digest) {
            notice("waiting for another wheelcache process that is storing key \(key.digest.prefix(12))")
        }
        defer { keyLock.unlock() }
        if case .hit(let entry) = store.lookup(key.digest) {
            try deliver(entry, status: .hit, expecting: prepared.expectedName, result: &result)
            return true
        }
        let entry = try store.publish(wheel: wheel, manifest: record.manifest)
        counters.bump(\.remoteHits)
        try deliver(entry, status: .remoteHit, expecting: prepared.expectedName, result: &result)
        return true
    }
}
