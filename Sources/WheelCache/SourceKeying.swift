import FoundationEssentials
import WheelFetch
import WheelModel
import WheelStore
import WheelSystem

// Stage 1: source -> key. Hashes an sdist, resolves a git revision, asks the index for a pin.
// Never delivers or builds; under `plan` it downloads nothing either (git abbreviations aside).

extension BuildPipeline {
    func key(_ source: PlannedSource, interpreter: Interpreter, scratch: Scratch) throws -> KeyedSource {
        switch source.spec {
        case .sdistFile(let path):
            let digest = try FileDigest.sha256(path, regularOnly: true)
            try Downloads.check(path, sha256: digest.hex, against: source.hashes, other: source.otherHashes, what: path)
            return KeyedSource(origin: .build(.sdistFile(path: path)), key: sdistKey(digest.hex, interpreter), label: path,
                               expectation: .none, why: "keyed by the SHA-256 of the sdist's bytes")
        case .directory(let path):
            return KeyedSource(origin: .build(.directory(path: path)), key: nil, label: path, expectation: .none,
                               why: "a local folder is built every time and never cached")
        case .git(let url, let name):
            return try keyGit(url, name: name, interpreter: interpreter, scratch: scratch)
        case .url(let url, let name):
            return try keyURL(url, name: name, hashes: source.hashes, other: source.otherHashes, interpreter: interpreter,
                              scratch: scratch)
        case .pin(let name, let version):
            return try keyPin(name, version, hashes: source.hashes, interpreter: interpreter, scratch: scratch)
        case .locked(let package):
            return try keyLocked(package, source: source, interpreter: interpreter, scratch: scratch)
        }
    }

    /// A lock's package: the best-ranked wheel for the interpreter, else its fallback; either
    /// must be the locked version.
    private func keyLocked(_ package: LockedPackage, source: PlannedSource, interpreter: Interpreter,
                           scratch: Scratch) throws -> KeyedSource {
        if let requires = package.requiresPython, let python = Version(interpreter.version),
           VersionSpecifier.satisfies(python, requires) == false {
            throw PipelineError.unsupportedSource(package.label, "the lock says it requires Python \(requires), and the target interpreter is \(interpreter.version)")
        }
        let ranked = package.wheels.compactMap { wheel -> (LockedPackage.File, Int)? in
            guard let parsed = try? WheelFileName(wheel.filename), let rank = interpreter.rank(of: parsed) else { return nil }
            return (wheel, rank)
        }
        var keyed: KeyedSource
        if let wheel = ranked.min(by: { $0.1 < $1.1 })?.0 {
            let (sha256, other) = SourceSpec.split(wheel.hashes)
            keyed = try key(PlannedSource(label: source.label, location: source.location, spec: .url(wheel.url, name: package.name),
                                          hashes: sha256, marker: nil, otherHashes: other),
                            interpreter: interpreter, scratch: scratch)
        } else if let fallback = package.fallback {
            let (sha256, other) = SourceSpec.split(package.fallbackHashes)
            keyed = try key(PlannedSource(label: source.label, location: source.location, spec: fallback, hashes: sha256,
                                          marker: nil, otherHashes: other),
                            interpreter: interpreter, scratch: scratch)
        } else {
            throw PipelineError.unsupportedSource(package.label, "no wheel of it in the lock fits the target interpreter (\(interpreter.pythonTag)-\(interpreter.abiTag)-\(interpreter.platformTag)), and the lock names no sdist")
        }
        keyed.expectation.version = package.version
        return keyed
    }

    /// The key of an sdist with this SHA-256, built with this run's options for `interpreter`.
    func sdistKey(_ sha256: String, _ interpreter: Interpreter) -> CacheKey {
        CacheKey(source: .sdist(sha256: sha256), options: request.options, interpreter: interpreter)
    }

    /// A full commit id is immutable: no git process on the way to a hit. Anything else is
    /// resolved first (`git ls-remote`; an abbreviation by fetching into the mirror).
    private func keyGit(_ url: GitURL, name: String?, interpreter: Interpreter, scratch: Scratch) throws -> KeyedSource {
        var refs: GitRefs?
        var resolvedFrom: String?
        let commit: String
        if let pinned = url.pinnedCommit {
            commit = pinned
        } else {
            let git = try GitClient(environment: request.environment)
            let listed = try git.listRemote(url)
            refs = listed
            switch listed.resolve(url.revision) {
            case .commit(let found, _):
                commit = found
            case .abbreviatedCommit:
                commit = try GitMirrors(client: git, bucket: store?.path(.git)).resolveAbbreviation(
                    url, url.revision ?? "", format: listed.objectFormat ?? .sha1, scratch: try scratch.path,
                    waiting: { notice("waiting for another wheelcache process that is fetching \(url.redacted)") })
            case .unknown:
                if url.revision == nil, listed.refs.isEmpty {
                    throw GitError.unknownRevision(url: url.redacted, revision: "HEAD (the repository is empty)")
                }
                throw GitError.unknownRevision(url: url.redacted, revision: url.revision ?? "HEAD")
            }
            resolvedFrom = url.revision ?? "HEAD"
        }
        let key = CacheKey(source: .git(commit: commit, subdirectory: url.subdirectory), options: request.options,
                           interpreter: interpreter)
        let label = "git+" + url.cleanRemote + "@" + commit + (url.subdirectory.map { "#subdirectory=" + $0 } ?? "")
        return KeyedSource(origin: .build(.git(url, commit: commit, refs: refs)), key: key, label: label,
                           expectation: Expectation(name: name), why: "keyed by commit \(commit)",
                           commit: commit, resolvedFrom: resolvedFrom)
    }

    /// A URL: a wheel is taken as it is; an sdist's key is its SHA-256, known from the URL's
    /// `#sha256=` or the line's `--hash` (then a hit needs no network), else from downloading
    /// it through the HTTP cache.
    private func keyURL(_ url: String, name: String?, hashes: [String], other: [String], interpreter: Interpreter,
                        scratch: Scratch) throws -> KeyedSource {
        let filename = URLFileName.of(url)
        let label = URLRedaction.strip(url)
        let expectation = Expectation(name: name)
        if filename.lowercased().hasSuffix(".whl") {
            guard let parsed = try? WheelFileName(filename) else {
                throw PipelineError.unsupportedSource(URLRedaction.redact(url), "'\(filename)' is not a wheel file name")
            }
            guard interpreter.rank(of: parsed) != nil else {
                throw PipelineError.unsupportedSource(URLRedaction.redact(url), "the wheel \(filename) does not fit the target interpreter (\(interpreter.pythonTag), \(interpreter.platformTag))")
            }
            let key = hashes.count == 1 ? CacheKey(source: .wheel(sha256: hashes[0])) : nil
            return KeyedSource(origin: .wheel(WheelDownload(url: url, filename: filename, expected: hashes, other: other)), key: key,
                               label: label,
                               expectation: Expectation(name: name ?? parsed.distribution, version: parsed.version),
                               why: key == nil ? "a wheel from \(URLRedaction.redact(url)), keyed by its SHA-256 once downloaded"
                                               : "a wheel from the index (\(filename)), keyed by its SHA-256")
        }
        let known = "keyed by the sdist's SHA-256, known before downloading (from the URL, --hash or the index)"
        // With several allowed hashes, the one that is cached (if any) names the key.
        if let store, hashes.count > 1, let cached = hashes.first(where: { store.checkedEntry(sdistKey($0, interpreter)) != nil }) {
            return KeyedSource(origin: .build(.sdistURL(url: url, sha256: cached)), key: sdistKey(cached, interpreter),
                               label: label, expectation: expectation, why: known)
        }
        if hashes.count == 1 {
            return KeyedSource(origin: .build(.sdistURL(url: url, sha256: hashes[0])), key: sdistKey(hashes[0], interpreter),
                               label: label, expectation: expectation, why: known)
        }
        if planning {
            // The copy in the HTTP cache tells the key, if the server still has the same file.
            guard let body = http.cachedBody(url), let digest = try? FileDigest.sha256(body) else {
                return KeyedSource(origin: .unknown(reason: "its key is the SHA-256 of the sdist, known once it is downloaded (add #sha256= to know it now)"),
                                   key: nil, label: label, expectation: expectation, why: "")
            }
            return KeyedSource(origin: .build(.sdistFile(path: body)), key: sdistKey(digest.hex, interpreter), label: label,
                               expectation: expectation,
                               why: "keyed by the SHA-256 of the copy in the HTTP cache (build revalidates it with the server)")
        }
        let fetched = try downloads.fetch(url, filename: filename, expected: hashes, other: other, scratch: try scratch.path)
        return KeyedSource(origin: .build(.sdistFile(path: fetched.path)), key: sdistKey(fetched.sha256, interpreter), label: label,
                           expectation: expectation, why: "keyed by the SHA-256 of the sdist's bytes")
    }
}

extension CacheStore {
    /// The verified entry for `key`, if any (without counting a use).
    func checkedEntry(_ key: CacheKey) -> CachedEntry? {
        if case .hit(let entry) = check(key.digest, at: entryPath(key.digest)) { return entry }
        return nil
    }
}
