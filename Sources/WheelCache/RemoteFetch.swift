import FoundationEssentials
import WheelArchive
import WheelFetch
import WheelModel
import WheelStore
import WheelSystem

// Part of stage 5's miss path: the shared remote cache, asked before building.

extension BuildPipeline {
    /// Looks a local miss up in the remote cache: the record, then the blob, checked by its
    /// SHA-256, the full wheel validation, its record, and what the source asked for. Any
    /// fault is a warning and nil (build locally); nothing unverified becomes a candidate.
    func fetchRemote(_ remote: RemoteCache, key: CacheKey, keyed: KeyedSource, buildable: BuildableSource,
                     interpreter: Interpreter, source: String, staging: String) -> Candidate? {
        // The whole lookup is bounded: a remote that trickles costs a warning, not the job.
        let deadline = Date().addingTimeInterval(TimeInterval(remote.lookupSeconds))
        do {
            guard let record = try remote.record(for: key.digest, scratch: staging, deadline: deadline) else {
                counters.bump(\.remoteMisses)
                return nil
            }
            // `--no-binary` names the project: it asks for a build, not another cache's wheel.
            if request.noBinary.matches(record.manifest.name) { return nil }
            let folder = staging + "/remote"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let wheel = folder + "/" + record.manifest.wheel
            try remote.blob(record, to: wheel, deadline: deadline)
            let validated = try WheelValidator().validate(wheel)
            guard ProjectName.normalize(validated.name) == ProjectName.normalize(record.manifest.name),
                  validated.version == record.manifest.version else {
                throw RemoteError.invalid(remote: remote.display, what: "the wheel for key \(key.digest.prefix(12)) is not the project its record names")
            }
            // A record for another project is the remote's fault, not the user's: build locally.
            try keyed.expectation.check(name: validated.name, version: validated.version, source: source)
            try checkPromise(of: buildable, record: record, interpreter: interpreter, remote: remote, key: key)
            return Candidate(wheel: wheel, manifest: record.manifest, status: .remoteHit, counter: \.remoteHits)
        } catch {
            counters.bump(\.remoteErrors)
            let said: String
            switch error {
            case is ArchiveError: said = "remote cache \(remote.display) sent an invalid wheel for key \(key.digest.prefix(12)): \(error)"
            case is PipelineError: said = "remote cache \(remote.display) sent a wheel for key \(key.digest.prefix(12)) that is not what was asked: \(error)"
            default: said = "\(error)"
            }
            notice("warning: \(said); building locally")
            return nil
        }
    }

    /// What the key promises beyond the source's expectation: an sdist named as PEP 625 (and
    /// every tool) names them, `NAME-VERSION.tar.gz`, builds that project and version; and a
    /// key's interpreter takes the wheel's tags. A record breaking either is the remote's fault.
    private func checkPromise(of buildable: BuildableSource, record: RemoteRecord, interpreter: Interpreter,
                              remote: RemoteCache, key: CacheKey) throws {
        let fault = { (what: String) in RemoteError.invalid(remote: remote.display, what: "the wheel for key \(key.digest.prefix(12)) \(what)") }
        let file: String?
        switch buildable {
        case .sdistFile(let path): file = PathText.lastComponent(path)
        case .sdistURL(let url, _): file = URLFileName.of(url)
        case .directory, .git: file = nil
        }
        if let file, let (name, version) = SdistFileName.nameAndVersion(file), ProjectName.isValid(name), Version(version) != nil {
            guard ProjectName.normalize(record.manifest.name) == name,
                  record.manifest.version == version || Version(record.manifest.version) == Version(version) else {
                throw fault("is \(record.manifest.name) \(record.manifest.version), and the sdist \(file) is \(name) \(version)")
            }
        }
        let wheel = try WheelFileName(record.manifest.wheel)
        let fits = interpreter.supportedTags != nil ? interpreter.rank(of: wheel) != nil
            : wheel.platformTags.contains { $0 == "any" || $0 == interpreter.platformTag }
        guard fits else { throw fault("(\(record.manifest.wheel)) does not fit the interpreter") }
    }

    /// Uploads a wheel this run built, when the remote is writable; a failure is a warning.
    func upload(_ entry: CachedEntry, staging: String) {
        guard let remote = remoteCache, remote.writable else { return }
        do { try remote.upload(wheel: entry.wheelPath, manifest: entry.manifest, scratch: staging) } catch {
            counters.bump(\.remoteErrors)
            notice("warning: \(error); the wheel is cached locally only")
        }
    }
}
