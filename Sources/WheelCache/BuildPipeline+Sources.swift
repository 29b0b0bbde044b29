import FoundationEssentials
import WheelArchive
import WheelBuild
import WheelFetch
import WheelModel
import WheelStore
import WheelSystem

/// A wheel to take as it is from an index or a URL.
struct WheelDownload: Sendable {
    var url: String
    var filename: String
    /// Known when the index (or a `--hash`) gives the wheel's SHA-256: then a hit needs no download.
    var key: CacheKey?
    /// SHA-256 digests the download must match (empty: any).
    var expected: [String]
    var name: String?
    var version: String?
}

extension BuildPipeline {
    /// A source made ready: its key is known (except for local folders), or it was already
    /// delivered from the cache.
    enum Prepared {
        case sdist(path: String, key: CacheKey, label: String, name: String?)
        /// An sdist whose SHA-256 is known before downloading it (`#sha256=`, `--hash`, the
        /// index): downloaded only on a miss.
        case remoteSdist(url: String, key: CacheKey, label: String, name: String?)
        case directory(path: String)
        case git(GitURL, commit: String, refs: GitRefs?, name: String?, key: CacheKey)
        case wheel(WheelDownload)
        /// A hit found while preparing (a pin whose `--hash` names a cached file).
        case delivered
        /// Planning only: the key would need a download to know.
        case unknown(reason: String)

        /// How the source is named in notices, log names and manifests (never with credentials).
        var label: String {
            switch self {
            case .sdist(_, _, let label, _), .remoteSdist(_, _, let label, _): return label
            case .directory(let path): return path
            case .git(let url, let commit, _, _, _):
                return "git+" + url.cleanRemote + "@" + commit + (url.subdirectory.map { "#subdirectory=" + $0 } ?? "")
            case .wheel(let wheel): return URLRedaction.strip(wheel.url)
            case .delivered, .unknown: return ""
            }
        }

        var key: CacheKey? {
            switch self {
            case .sdist(_, let key, _, _), .remoteSdist(_, let key, _, _), .git(_, _, _, _, let key): return key
            case .wheel(let wheel): return wheel.key
            case .directory, .delivered, .unknown: return nil
            }
        }

        /// The project name the user asked for, if any.
        var expectedName: String? {
            switch self {
            case .git(_, _, _, let name, _), .sdist(_, _, _, let name), .remoteSdist(_, _, _, let name): return name
            default: return nil
            }
        }
    }

    /// Computes the key: hashes an sdist, resolves a git revision, asks the index for a pin.
    func prepare(_ source: PlannedSource, interpreter: Interpreter, scratch: Scratch,
                 result: inout SourceResult) throws -> Prepared {
        switch source.spec {
        case .sdistFile(let path):
            let digest = try FileDigest.sha256(path)
            try check(digest.hex, against: source.hashes, what: path)
            let key = CacheKey(source: .sdist(sha256: digest.hex), options: request.options, interpreter: interpreter)
            result.key = key.digest
            return .sdist(path: path, key: key, label: path, name: nil)
        case .directory(let path):
            return .directory(path: path)
        case .git(let url, let name):
            return try prepareGit(url, name: name, interpreter: interpreter, scratch: scratch, result: &result)
        case .url(let url, let name):
            return try prepareURL(url, name: name, hashes: source.hashes, interpreter: interpreter, scratch: scratch, result: &result)
        case .pin(let name, let version):
            return try preparePin(name, version, hashes: source.hashes, interpreter: interpreter, scratch: scratch, result: &result)
        }
    }

    private func prepareGit(_ url: GitURL, name: String?, interpreter: Interpreter, scratch: Scratch,
                            result: inout SourceResult) throws -> Prepared {
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
                commit = try GitMirrors(client: git, bucket: store?.path(.git)).resolveAbbreviation(
                    url, url.revision ?? "", format: listed.objectFormat ?? .sha1, scratch: try scratch.path,
                    waiting: { notice("waiting for another wheelcache process that is fetching \(url.redacted)") })
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

    /// A URL: a wheel is taken as it is; an sdist's key is its SHA-256, known from the URL's
    /// `#sha256=` or the line's `--hash` (then a hit needs no network), else from downloading
    /// it through the HTTP cache.
    private func prepareURL(_ url: String, name: String?, hashes: [String], interpreter: Interpreter, scratch: Scratch,
                            result: inout SourceResult) throws -> Prepared {
        let filename = URLFileName.of(url)
        if filename.lowercased().hasSuffix(".whl") {
            let parsed = try? WheelFileName(filename)
            guard let parsed else { throw PipelineError.unsupportedSource(URLRedaction.redact(url), "'\(filename)' is not a wheel file name") }
            guard interpreter.rank(of: parsed) != nil else {
                throw PipelineError.unsupportedSource(URLRedaction.redact(url), "the wheel \(filename) does not fit the target interpreter (\(interpreter.pythonTag), \(interpreter.platformTag))")
            }
            let key = hashes.count == 1 ? CacheKey(source: .wheel(sha256: hashes[0])) : nil
            result.key = key?.digest
            return .wheel(WheelDownload(url: url, filename: filename, key: key, expected: hashes,
                                        name: name ?? parsed.distribution, version: parsed.version))
        }
        // With several allowed hashes, the one that is cached (if any) names the key; with one,
        // the lookup in buildCached is the only one needed.
        if let store, hashes.count > 1 {
            for hash in hashes {
                let key = CacheKey(source: .sdist(sha256: hash), options: request.options, interpreter: interpreter)
                if case .hit = store.check(key.digest, at: store.entryPath(key.digest)) {
                    result.key = key.digest
                    return .remoteSdist(url: url, key: key, label: URLRedaction.strip(url), name: name)
                }
            }
        }
        if hashes.count == 1 {
            let key = CacheKey(source: .sdist(sha256: hashes[0]), options: request.options, interpreter: interpreter)
            result.key = key.digest
            return .remoteSdist(url: url, key: key, label: URLRedaction.strip(url), name: name)
        }
        if planning {
            // The copy in the HTTP cache tells the key, if the server still has the same file.
            guard let body = http.cachedBody(url), let digest = try? FileDigest.sha256(body) else {
                return .unknown(reason: "its key is the SHA-256 of the sdist, known once it is downloaded (add #sha256= to know it now)")
            }
            let key = CacheKey(source: .sdist(sha256: digest.hex), options: request.options, interpreter: interpreter)
            result.key = key.digest
            return .sdist(path: body, key: key, label: "the HTTP cache's copy", name: name)
        }
        let path = try download(url, filename: filename, expected: hashes, scratch: try scratch.path)
        let digest = try FileDigest.sha256(path)
        let key = CacheKey(source: .sdist(sha256: digest.hex), options: request.options, interpreter: interpreter)
        result.key = key.digest
        return .sdist(path: path, key: key, label: URLRedaction.strip(url), name: name)
    }

    /// `name==version`: a cached file named by a `--hash` first (no network); else the index's
    /// best wheel for the interpreter (unless `--no-binary` names the project), else its sdist.
    private func preparePin(_ name: String, _ version: String, hashes: [String], interpreter: Interpreter, scratch: Scratch,
                            result: inout SourceResult) throws -> Prepared {
        let rebuild = request.noBinary.matches(name)
        if let store, !rebuild {
            for hash in hashes {
                let wheelKey = CacheKey(source: .wheel(sha256: hash))
                if case .hit(let entry) = store.check(wheelKey.digest, at: store.entryPath(wheelKey.digest)),
                   let file = try? WheelFileName(entry.manifest.wheel), interpreter.rank(of: file) != nil {
                    result.key = wheelKey.digest
                    if planning { return .wheel(WheelDownload(url: entry.manifest.source, filename: entry.manifest.wheel,
                                                              key: wheelKey, expected: [hash], name: name, version: version)) }
                    store.markUsed(entry)
                    try deliver(entry, status: .hit, expecting: name, result: &result)
                    return .delivered
                }
                let sdistKey = CacheKey(source: .sdist(sha256: hash), options: request.options, interpreter: interpreter)
                if case .hit(let entry) = store.check(sdistKey.digest, at: store.entryPath(sdistKey.digest)) {
                    result.key = sdistKey.digest
                    if planning { return .remoteSdist(url: entry.manifest.source, key: sdistKey, label: entry.manifest.source, name: name) }
                    store.markUsed(entry)
                    try deliver(entry, status: .hit, expecting: name, result: &result)
                    return .delivered
                }
            }
        }
        let files = try indexFiles(for: name, scratch: try scratch.path)
        let wanted = Version(version)
        let sameRelease = files.filter { file in
            guard let (fileName, fileVersion) = file.nameAndVersion, fileName == ProjectName.normalize(name) else { return false }
            // PEP 440: `==1.0` matches `1.0+cpu` (the candidate's local label is ignored).
            if wanted != nil, let other = Version(fileVersion) { return VersionSpecifier.matches(other, "==", version) ?? false }
            return fileVersion == version
        }
        // As pip: files whose Requires-Python excludes the target interpreter are not candidates.
        let python = Version(interpreter.version)
        let matching = sameRelease.filter { file in
            guard let python, let requires = file.requiresPython else { return true }
            return VersionSpecifier.satisfies(python, requires) != false
        }
        if matching.isEmpty, let excluded = sameRelease.first?.requiresPython {
            throw PipelineError.notOnIndex(name: name, version: version,
                                           where: "its files require Python \(excluded), and the target interpreter is \(interpreter.version)")
        }
        guard !matching.isEmpty else {
            throw PipelineError.notOnIndex(name: name, version: version, where: fullIndex.description(noFiles: files.isEmpty))
        }
        if !rebuild {
            let wheels = matching.compactMap { file -> (IndexFile, Int)? in
                guard file.filename.hasSuffix(".whl"), let parsed = try? WheelFileName(file.filename),
                      let rank = interpreter.rank(of: parsed) else { return nil }
                return (file, rank)
            }
            if let best = wheels.min(by: { $0.1 < $1.1 })?.0 {
                let expected = try expectedHashes(best, hashes)
                let key = best.sha256.map { CacheKey(source: .wheel(sha256: $0)) }
                result.key = key?.digest
                return .wheel(WheelDownload(url: best.url, filename: best.filename, key: key, expected: expected,
                                            name: name, version: version))
            }
        }
        guard let sdist = matching.first(where: { !$0.filename.hasSuffix(".whl") }) else {
            throw PipelineError.notOnIndex(name: name, version: version,
                                           where: "no wheel there fits \(interpreter.pythonTag)-\(interpreter.abiTag)-\(interpreter.platformTag) and there is no sdist")
        }
        let expected = try expectedHashes(sdist, hashes)
        if let sha = sdist.sha256 {
            let key = CacheKey(source: .sdist(sha256: sha), options: request.options, interpreter: interpreter)
            result.key = key.digest
            return .remoteSdist(url: sdist.url, key: key, label: URLRedaction.strip(sdist.url), name: name)
        }
        if planning { return .unknown(reason: "the index gives no SHA-256 for \(sdist.filename); its key is known once it is downloaded") }
        let path = try download(sdist.url, filename: sdist.filename, expected: expected, scratch: try scratch.path)
        let digest = try FileDigest.sha256(path)
        let key = CacheKey(source: .sdist(sha256: digest.hex), options: request.options, interpreter: interpreter)
        result.key = key.digest
        return .sdist(path: path, key: key, label: URLRedaction.strip(sdist.url), name: name)
    }

    /// The hashes a chosen index file must match: the line's `--hash` list (which must then
    /// include the index's own digest, if it gives one), else the index's digest.
    private func expectedHashes(_ file: IndexFile, _ hashes: [String]) throws -> [String] {
        if !hashes.isEmpty {
            if let sha = file.sha256, !hashes.contains(sha) {
                throw FetchError.hashMismatch(url: URLRedaction.redact(file.url), expected: hashes, actual: sha)
            }
            return hashes
        }
        return file.sha256.map { [$0] } ?? []
    }

    /// Every file the indexes and find-links folders offer for a project.
    func indexFiles(for project: String, scratch: String) throws -> [IndexFile] {
        let index = fullIndex
        let indexes = index.indexes
        guard !indexes.isEmpty || !index.findLinks.isEmpty else {
            throw PipelineError.unsupportedSource(project, "a pinned requirement needs an index; drop --no-index or give --find-links")
        }
        var files: [IndexFile] = []
        for link in index.findLinks {
            if link.contains("://") {
                throw PipelineError.unsupportedSource(URLRedaction.redact(link), "--find-links takes a local folder here")
            }
            guard FileTree.kind(link) == .folder else {
                throw PipelineError.unsupportedSource(link, "--find-links: no such folder")
            }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: link)) ?? [] {
                files.append(IndexFile(filename: name, url: URL(fileURLWithPath: link + "/" + name).absoluteString, sha256: nil))
            }
        }
        let reader = SimpleIndex(cache: http)
        for url in indexes {
            files += try reader.files(project: project, index: url, scratch: scratch)
        }
        return files
    }

    /// Downloads through the HTTP cache into `scratch/download/FILENAME`, checking the SHA-256.
    func download(_ url: String, filename: String, expected: [String], scratch: String) throws -> String {
        let filename = try URLFileName.safe(filename, from: url)
        let folder = scratch + "/download-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + filename
        _ = try http.fetch(url, to: path)
        let digest = try FileDigest.sha256(path)
        try check(digest.hex, against: expected, what: url)
        return path
    }

    func check(_ digest: String, against expected: [String], what: String) throws {
        guard !expected.isEmpty, !expected.contains(digest) else { return }
        throw FetchError.hashMismatch(url: URLRedaction.redact(what), expected: expected, actual: digest)
    }
}

extension IndexSettings {
    func description(noFiles: Bool) -> String {
        let places = indexes + findLinks
        return (noFiles ? "the project is unknown to " : "that version is not on ") + places.map(URLRedaction.redact).joined(separator: ", ")
    }
}

/// The file name at the end of a URL's path.
enum URLFileName {
    static func of(_ url: String) -> String {
        let withoutFragment = url.components(separatedBy: "#")[0].components(separatedBy: "?")[0]
        return PathText.lastComponent(withoutFragment).percentDecoded ?? PathText.lastComponent(withoutFragment)
    }

    /// A name that is safe to create in a folder: no separators, no `..`, no NUL. A URL (or
    /// an index link) whose name is not is refused, so a download can never land elsewhere.
    static func safe(_ name: String, from url: String) throws -> String {
        guard !name.isEmpty, name != ".", name != "..", !name.hasPrefix("."), !name.contains("/"), !name.contains("\0"),
              !name.contains("\\") else {
            throw PipelineError.unsupportedSource(URLRedaction.redact(url), "its file name '\(name)' is not a plain file name")
        }
        return name
    }
}
