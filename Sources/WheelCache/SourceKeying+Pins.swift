import FoundationEssentials
import WheelFetch
import WheelModel
import WheelStore
import WheelSystem

// Stage 1 for `name==version`: a cached file named by a `--hash` first (no network); else the
// index's best wheel for the interpreter (unless `--no-binary` names the project), else its sdist.

extension BuildPipeline {
    func keyPin(_ name: String, _ version: String, hashes: [String], interpreter: Interpreter,
                scratch: Scratch) throws -> KeyedSource {
        let expectation = Expectation(name: name, version: version)
        let pin = "\(name)==\(version)"
        // The command line's --no-binary forces a build (so an sdist); the files' means pip's.
        let rebuild = request.noBinary.matches(name)
        guard let choice = formats.choice(for: name), !(rebuild && choice == .wheelOnly) else {
            throw PipelineError.unsupportedSource(pin, "both --no-binary and --only-binary name it; drop one")
        }
        let sdistOnly = rebuild || choice == .sdistOnly, wheelOnly = choice == .wheelOnly
        if let store, !rebuild,
           let (key, entry) = cachedKey(hashes, store: store, interpreter: interpreter, wheels: !sdistOnly, sdists: !wheelOnly) {
            return KeyedSource(origin: .cached(entry), key: key, label: "\(name)==\(version)", expectation: expectation,
                               why: "a cached file matches one of its --hash values")
        }
        let matching = try indexFiles(for: name, version: version, interpreter: interpreter, scratch: scratch)
        if !sdistOnly, let best = bestWheel(matching, interpreter) {
            let key = best.sha256.map { CacheKey(source: .wheel(sha256: $0)) }
            let wheel = WheelDownload(url: best.url, filename: best.filename, expected: try expectedHashes(best, hashes))
            return KeyedSource(origin: .wheel(wheel), key: key, label: URLRedaction.strip(best.url), expectation: expectation,
                               why: key == nil ? "a wheel from \(URLRedaction.redact(best.url)), keyed by its SHA-256 once downloaded"
                                               : "a wheel from the index (\(best.filename)), keyed by its SHA-256")
        }
        if wheelOnly {
            throw PipelineError.unsupportedSource(pin, "--only-binary names it, and no wheel of it on the index fits \(interpreter.pythonTag)-\(interpreter.abiTag)-\(interpreter.platformTag)")
        }
        guard let sdist = matching.first(where: { !$0.filename.hasSuffix(".whl") }) else {
            throw PipelineError.notOnIndex(name: name, version: version,
                                           where: "no wheel there fits \(interpreter.pythonTag)-\(interpreter.abiTag)-\(interpreter.platformTag) and there is no sdist")
        }
        let expected = try expectedHashes(sdist, hashes)
        let label = URLRedaction.strip(sdist.url)
        if let sha = sdist.sha256 {
            return KeyedSource(origin: .build(.sdistURL(url: sdist.url, sha256: sha)), key: sdistKey(sha, interpreter),
                               label: label, expectation: expectation,
                               why: "keyed by the sdist's SHA-256, known before downloading (from the URL, --hash or the index)")
        }
        if planning {
            return KeyedSource(origin: .unknown(reason: "the index gives no SHA-256 for \(sdist.filename); its key is known once it is downloaded"),
                               key: nil, label: label, expectation: expectation, why: "")
        }
        let fetched = try downloads.fetch(sdist.url, filename: sdist.filename, expected: expected, scratch: try scratch.path)
        return KeyedSource(origin: .build(.sdistFile(path: fetched.path)), key: sdistKey(fetched.sha256, interpreter), label: label,
                           expectation: expectation, why: "keyed by the SHA-256 of the sdist's bytes")
    }

    /// The key of a cached wheel (that fits the interpreter) or sdist one of `hashes` names.
    private func cachedKey(_ hashes: [String], store: CacheStore, interpreter: Interpreter, wheels: Bool,
                           sdists: Bool) -> (CacheKey, CachedEntry)? {
        for hash in hashes {
            let wheelKey = CacheKey(source: .wheel(sha256: hash))
            if wheels, case .hit(let entry) = store.check(wheelKey.digest, at: store.entryPath(wheelKey.digest)),
               let file = try? WheelFileName(entry.manifest.wheel), interpreter.rank(of: file) != nil {
                return (wheelKey, entry)
            }
            let key = sdistKey(hash, interpreter)
            if sdists, let entry = store.checkedEntry(key) { return (key, entry) }
        }
        return nil
    }

    /// The files of exactly this release whose Requires-Python admits the interpreter (as pip).
    private func indexFiles(for name: String, version: String, interpreter: Interpreter,
                            scratch: Scratch) throws -> [IndexFile] {
        let files = try indexFiles(for: name, scratch: try scratch.path)
        let wanted = Version(version)
        let sameRelease = files.filter { file in
            guard let (fileName, fileVersion) = file.nameAndVersion, fileName == ProjectName.normalize(name) else { return false }
            // PEP 440: `==1.0` matches `1.0+cpu` (the candidate's local label is ignored).
            if wanted != nil, let other = Version(fileVersion) { return VersionSpecifier.matches(other, "==", version) ?? false }
            return fileVersion == version
        }
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
        return matching
    }

    /// The wheel with the best tag for the interpreter, if any fits.
    private func bestWheel(_ files: [IndexFile], _ interpreter: Interpreter) -> IndexFile? {
        files.compactMap { file -> (IndexFile, Int)? in
            guard file.filename.hasSuffix(".whl"), let parsed = try? WheelFileName(file.filename),
                  let rank = interpreter.rank(of: parsed) else { return nil }
            return (file, rank)
        }.min(by: { $0.1 < $1.1 })?.0
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
        guard !index.indexes.isEmpty || !index.findLinks.isEmpty else {
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
        for url in index.indexes {
            files += try reader.files(project: project, index: url, scratch: scratch)
        }
        return files
    }
}
