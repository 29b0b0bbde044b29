#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import WheelBuild
import WheelModel
import WheelStore
import WheelSystem

/// A source to build, from the command line or a line of a requirements file.
struct PlannedSource: Sendable {
    /// What results show as `source` (credentials redacted).
    var label: String
    /// `FILE:LINE` for requirements-file lines.
    var location: String?
    var spec: SourceSpec
    /// SHA-256 digests the source's file must have (`--hash`, `#sha256=`); empty: any.
    var hashes: [String]
    var marker: Marker?
    /// The marker as written, and every `--hash` as `ALGORITHM:HEX` (for install manifests).
    var markerText: String? = nil
    var inputHashes: [String] = []
    /// Digests of other algorithms than SHA-256, as `ALGORITHM:HEX` (`--hash=sha512:…` on a
    /// URL or path, a URL's `#sha384=`): checked when the file is read, any one will do.
    var otherHashes: [String] = []
}

/// Everything a run was asked for: the command line's sources and the requirement files'
/// lines, classified before anything is built, plus the index options the files carry.
struct SourceCollection: Sendable {
    var sources: [PlannedSource] = []
    var index: IndexSettings
    /// Problems found while collecting: the run stops before building (exit 2).
    var errors: [SourceResult] = []
    /// Every input in order, for the report of a run that stops: the errors, and the good
    /// sources marked as not built.
    var stoppedResults: [SourceResult] = []
    /// The `-c` constraints of the requirements files, which every pin must satisfy.
    var pinConstraints: [PinConstraint] = []
    /// `--only-binary` from the command line, with the files' `--no-binary`/`--only-binary`.
    var formats = FormatControl()
    /// The PEP 751 locks read, checked against the interpreter once it is known.
    var locks: [(String, PylockFile)] = []
    /// Whether a problem of the whole run was found (see `failRun`).
    var runFailed = false

    static func collect(_ request: BuildRequest) -> SourceCollection {
        var collection = SourceCollection(index: IndexSettings(request.index))
        collection.formats.onlyBinary = request.onlyBinary
        collection.addBuildConstraints(request)
        for argument in request.sources {
            do {
                let spec = try SourceSpec.classify(argument)
                let (sha256, other) = SourceSpec.split(try spec.fragmentDigests())
                collection.add(PlannedSource(label: URLRedaction.redact(argument), spec: spec, hashes: sha256, marker: nil,
                                             otherHashes: other))
            } catch {
                collection.fail(failure(argument, error.description))
            }
        }
        var files: [(String, RequirementsFile)] = []
        for file in request.requirementFiles {
            if PylockFile.isLockFileName(PathText.lastComponent(file)) {
                collection.addLock(file)
                continue
            }
            if file.contains("://") {
                let shown = URLRedaction.redact(file)
                collection.fail(failure(shown, "requirement files from URLs are not supported; download \(shown) first (curl -o requirements.txt URL)"))
                continue
            }
            do {
                let parsed = try RequirementsFile.reading(file, environment: request.environment)
                // Every bad line, each with its FILE:LINE.
                for problem in parsed.problems { collection.fail(failure(file, problem.description)) }
                try collection.formats.add(noBinary: parsed.noBinary, onlyBinary: parsed.onlyBinary)
                collection.pinConstraints += parsed.constraints.compactMap { PinConstraint($0.line, location: $0.location) }
                files.append((file, parsed))
            } catch {
                collection.fail(failure(file, error.description))
            }
        }
        // As pip: one --hash anywhere, or --require-hashes, and every line must be hash-pinned.
        let hashChecking: String? = request.requireHashes ? "--require-hashes"
            : files.contains { $0.1.requireHashes } ? "--require-hashes in a requirements file"
            : files.contains { $0.1.lines.contains { !$0.hashes.isEmpty } } ? "another line has a --hash" : nil
        for (file, parsed) in files {
            collection.index.merge(parsed, folder: PathText.parent(file))
            for line in parsed.lines {
                do {
                    let spec = try SourceSpec.from(line)
                    let (hashes, other) = SourceSpec.split(Array(Set(line.hashes + (try spec.fragmentDigests()))).sorted())
                    if case .pin = spec, !line.hashes.isEmpty, hashes.isEmpty {
                        throw PipelineError.unsupportedSource(line.text, "a pin is checked against the index's SHA-256; add --hash=sha256:…")
                    }
                    if let hashChecking {
                        try SourceCollection.checkHashed(spec, line: line, hashes: hashes + other, because: hashChecking)
                    }
                    collection.add(PlannedSource(label: line.text, location: line.location, spec: spec,
                                                 hashes: hashes, marker: line.marker, markerText: line.markerText,
                                                 inputHashes: line.hashes, otherHashes: other))
                } catch {
                    collection.fail(failure(line.text, "\(line.location): \(error)"))
                }
            }
        }
        return collection
    }

    /// In hash-checking mode a line must name its file's hash (`--hash`, or a URL's
    /// `#sha256=`) or be a git URL at a full commit id, which is a hash of the tree itself.
    static func checkHashed(_ spec: SourceSpec, line: RequirementLine, hashes: [String],
                            because why: String) throws(PipelineError) {
        switch spec {
        case .pin, .sdistFile, .url:
            if hashes.isEmpty { throw .unhashed(source: line.text, why: why) }
        case .git(let url, _):
            if url.pinnedCommit == nil {
                throw .unsupportedSource(line.text, "hash checking is on (\(why)), so a git URL must name a full commit id; write @COMMIT")
            }
        case .directory:
            throw .unsupportedSource(line.text, "hash checking is on (\(why)), and a local folder cannot be hash-checked; list an sdist of it with --hash")
        case .locked:
            break  // a lock's files carry their hashes (PylockFile checks)
        }
    }

    /// `--build-constraint` files, else those `PIP_BUILD_CONSTRAINT` names (space-separated);
    /// one that cannot be read stops the run.
    mutating func addBuildConstraints(_ request: BuildRequest) {
        let files = !request.buildConstraints.isEmpty ? request.buildConstraints
            : (request.environment["PIP_BUILD_CONSTRAINT"] ?? "").split(separator: " ").map(String.init)
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                fail(SourceCollection.failure(file, "cannot read the build constraints file \(file); check --build-constraint or PIP_BUILD_CONSTRAINT"))
                continue
            }
            index.constraints += RequirementsFile.constraintLines(text)
            do {
                index.constraintHashes.merge(try RequirementsFile.constraintHashes(text, file: file)) { $0 + $1 }
            } catch {
                fail(SourceCollection.failure(file, "\(error)"))
            }
        }
    }

    /// `-r pylock.toml`: each package a source, with its marker; a lock wheelcache cannot
    /// read or build from is one error naming the package.
    mutating func addLock(_ file: String) {
        do {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw PipelineError.unsupportedSource(file, "cannot read the lock file")
            }
            let lock = try PylockFile.parse(text, file: file)
            locks.append((file, lock))
            for package in lock.packages {
                do {
                    let locked = try LockedPackage(package, folder: PathText.parent(file))
                    var marker: Marker?
                    if let text = package.marker {
                        do { marker = try Marker(text) } catch { throw PipelineError.unsupportedSource(locked.label, "\(error)") }
                    }
                    add(PlannedSource(label: locked.label, location: file, spec: .locked(locked), hashes: [], marker: marker,
                                      markerText: package.marker, inputHashes: locked.fallbackHashes))
                } catch {
                    fail(SourceCollection.failure(package.name, "\(file): \(error)"))
                }
            }
        } catch {
            fail(SourceCollection.failure(file, "\(error)"))
        }
    }

    /// What is bad input only once the interpreter is known, found before anything runs: a
    /// lock made for other Pythons or environments, a pin outside a `-c` constraint.
    func problems(for interpreter: Interpreter, environment: [String: String]) -> [SourceResult] {
        var problems = locks.compactMap { file, lock in
            SourceCollection.lockProblem(lock, file: file, interpreter: interpreter, environment: environment)
        }
        for source in sources {
            guard case .pin(let name, let version) = source.spec else { continue }
            do {
                for constraint in pinConstraints { try constraint.check(name, version, environment: environment) }
            } catch {
                problems.append(SourceCollection.failure(source.label, (source.location.map { $0 + ": " } ?? "") + "\(error)"))
            }
        }
        return problems
    }

    /// Why a lock does not apply to the target interpreter, if it does not.
    static func lockProblem(_ lock: PylockFile, file: String, interpreter: Interpreter,
                            environment: [String: String]) -> SourceResult? {
        if let requires = lock.requiresPython, let python = Version(interpreter.version),
           VersionSpecifier.satisfies(python, requires) == false {
            return failure(file, "\(file): the lock requires Python \(requires), and the target interpreter is \(interpreter.version); lock again for it, or pass --python")
        }
        if !lock.environments.isEmpty,
           !lock.environments.contains(where: { (try? Marker($0))?.evaluate(environment) == true }) {
            return failure(file, "\(file): the lock is for other environments (\(lock.environments.joined(separator: "; "))); lock again for this one")
        }
        return nil
    }

    mutating func add(_ source: PlannedSource) {
        sources.append(source)
        if runFailed { return }
        stoppedResults.append(SourceCollection.failure(source.label, "not built: another source is invalid"))
    }

    mutating func fail(_ result: SourceResult) {
        errors.append(result)
        stoppedResults.append(result)
    }

    /// A problem of the whole run (the cache, the remote, the wheel folder), not of a source:
    /// the run stops with it and the sources' own errors, no source blamed for another.
    mutating func failRun(_ result: SourceResult) {
        errors.append(result)
        stoppedResults = errors
        runFailed = true
    }

    /// What keeps wheels from being delivered to `folder`, if anything does: a file there, or
    /// a link to nothing (a folder that does not exist yet is made).
    static func wheelFolderProblem(_ folder: String) -> String? {
        var info = stat()
        guard lstat(folder, &info) == 0 else { return nil }
        if stat(folder, &info) != 0 { return "the wheel folder \(folder) is a link to nothing; pass another with -w" }
        guard info.st_mode & S_IFMT == S_IFDIR else { return "the wheel folder \(folder) is not a folder; pass another with -w" }
        return nil
    }

    static func failure(_ source: String, _ message: String) -> SourceResult {
        var result = SourceResult(source: URLRedaction.redact(source), status: .failed, seconds: 0)
        result.error = message
        result.failure = .input
        return result
    }
}

extension SourceSpec {
    /// A requirements-file line as a source.
    static func from(_ line: RequirementLine) throws -> SourceSpec {
        switch line.kind {
        case .pin(let name, let version): return .pin(name: name, version: version)
        case .url(let url, let name): return .url(url, name: name)
        case .vcs(let url, let name):
            do { return .git(try GitURL(url), name: name) } catch {
                throw PipelineError.unsupportedSource(URLRedaction.redact(url), error.description)
            }
        case .path(let path):
            let expanded = PathText.expandingTilde(path)
            let spec = try classify(expanded)
            guard case .pin = spec else { return spec }
            throw PipelineError.missingSource(path)
        }
    }

    /// Every `#ALGORITHM=HEX` of a URL, as `algorithm:hex` (names case-insensitive, as pip
    /// reads them); an algorithm wheelcache cannot check is an error, never ignored.
    func fragmentDigests() throws(PipelineError) -> [String] {
        guard case .url(let url, _) = self, let hash = url.firstIndex(of: "#") else { return [] }
        var digests: [String] = []
        for part in url[url.index(after: hash)...].split(separator: "&") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = part[..<equals].lowercased()
            let value = part[part.index(after: equals)...].lowercased()
            guard FileDigest.algorithms.contains(name) else {
                if ["sha1", "sha224", "blake2b", "blake2s", "sha3_256", "sha3_512"].contains(name) {
                    throw .unsupportedSource(URLRedaction.redact(url), "its #\(name)= cannot be checked; give #sha256= (or sha384, sha512, md5)")
                }
                continue
            }
            guard !value.isEmpty, value.allSatisfy(\.isHexDigit) else {
                throw .unsupportedSource(URLRedaction.redact(url), "#\(name)=\(value) is not a hexadecimal digest")
            }
            digests.append(name + ":" + value)
        }
        return digests
    }

    /// SHA-256 digests among `ALGORITHM:HEX` hashes (they can name a key), and the others.
    static func split(_ hashes: [String]) -> (sha256: [String], other: [String]) {
        (hashes.compactMap { $0.hasPrefix("sha256:") ? String($0.dropFirst(7)) : nil },
         hashes.filter { !$0.hasPrefix("sha256:") })
    }
}
