import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelArchive
import WheelFetch
import WheelModel
import WheelSystem

/// Installs build requirements without an installer process. pip spends 1.5-3.5 s per
/// build environment starting, resolving and installing one file at a time; this reads the
/// local wheel folders (`-f DIR`) and the package indexes (PEP 503/691 pages, through the HTTP
/// cache), picks versions as pip does, downloads and validates each wheel it picks (RECORD
/// both ways, hashes), unpacks it into the venv and compiles the bytecode in parallel.
///
/// The resolver is deliberately small: the newest final release (or pre-release, when there
/// is no final one and no specifier) that satisfies every requirement seen so far and whose
/// wheel the interpreter can install. Whenever pip could decide differently (a constraint
/// arriving after its project was chosen, only pre-releases matching a specifier, yanked
/// files or sdists matching, a direct URL, a clause it cannot read) or
/// an index cannot be read, it gives up and the environment is made by uv or pip, as before.
struct WheelInstaller {
    let interpreter: Interpreter
    let folders: [String]
    /// The package indexes to read as well (through `fetching`); none: the folders alone.
    let indexes: [String]
    /// The HTTP cache, which also keeps each validated wheel's `Facts`, and a folder of the
    /// build's own for index pages and downloads; nil: no index is read, no facts kept.
    let fetching: Fetching?
    /// Build constraints: requirement strings that limit versions without adding projects.
    let constraints: [String]
    /// Hashes of hashed build constraints by project: only a wheel with one of them is picked.
    let constraintHashes: [String: [String]]

    struct Fetching: Sendable {
        let http: HTTPCache
        let downloads: String
    }

    init(interpreter: Interpreter, folders: [String], indexes: [String] = [], fetching: Fetching? = nil,
         constraints: [String] = [], constraintHashes: [String: [String]] = [:]) {
        self.constraints = constraints
        self.constraintHashes = constraintHashes
        self.interpreter = interpreter
        self.folders = folders
        self.indexes = fetching == nil ? [] : indexes
        self.fetching = fetching
    }

    /// A wheel picked for an environment: validated once (now, or before: `Facts` are kept
    /// by SHA-256), downloaded only when an environment is made from it.
    struct Picked {
        let filename: String
        let location: Candidate.Location
        let facts: Facts
        /// Its SHA-256, hex.
        let sha256: String
        /// The file, when it is local or was downloaded to be validated.
        let path: String?
    }

    /// What the resolver and the installer need of a valid wheel, from its METADATA.
    struct Facts: Codable {
        var name: String
        var version: String
        var requiresDist: [String]
        var requiresPython: String?
        var providesExtra: [String]
        var distInfo: String

        init(_ wheel: ValidatedWheel) {
            name = wheel.name
            version = wheel.version
            requiresDist = wheel.requiresDist
            requiresPython = wheel.requiresPython
            providesExtra = wheel.providesExtra
            distInfo = wheel.distInfo
        }
    }

    struct Candidate {
        enum Location {
            case file(String)
            case index(IndexFile)
        }

        let filename: String
        let location: Location
        let version: Version
        let rank: Int
    }

    /// What the folders and indexes offer for one project: the wheels the interpreter can
    /// install, and the versions of sdists (pip would build a newer one).
    private struct Offer {
        var wheels: [Candidate] = []
        var sdists: [Version] = []

        /// Adds the file `filename` of project `name`, if it is an installable wheel or an sdist.
        mutating func add(_ filename: String, _ location: Candidate.Location, project name: String,
                          interpreter: Interpreter) {
            if filename.hasSuffix(".whl") {
                guard let file = try? WheelFileName(filename), file.normalizedName == name,
                      let version = Version(file.version), let rank = interpreter.rank(of: file) else { return }
                wheels.append(Candidate(filename: filename, location: location, version: version, rank: rank))
            } else if let (project, text) = SdistFileName.nameAndVersion(filename), project == name, let version = Version(text) {
                sdists.append(version)
            }
        }
    }

    /// A PEP 508 requirement as far as the resolver reads one.
    struct Requirement: Equatable {
        let name: String
        let extras: [String]
        let specifier: String
        let marker: Marker?

        /// nil for what is left to pip: direct URLs, unreadable names, markers or clauses.
        init?(_ text: String) {
            var rest = Substring(text.trimmingSpaces())
            var markerText: Substring?
            if let semicolon = rest.firstIndex(of: ";") {
                markerText = rest[rest.index(after: semicolon)...]
                rest = rest[..<semicolon]
            }
            let name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
            guard !name.isEmpty else { return nil }
            rest = rest.dropFirst(name.count).drop { $0 == " " }
            var extras: [String] = []
            if rest.first == "[" {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                extras = rest[rest.index(after: rest.startIndex)..<close].split(separator: ",")
                    .map { ProjectName.normalize($0.trimmingSpaces()) }.filter { !$0.isEmpty }
                rest = rest[rest.index(after: close)...]
            }
            var specifier = rest.trimmingSpaces()
            if specifier.hasPrefix("(") && specifier.hasSuffix(")") { specifier = String(specifier.dropFirst().dropLast()) }
            for clause in specifier.split(separator: ",") {
                let text = clause.trimmingSpaces()
                let op = text.prefix { "<>=!~".contains($0) }
                guard ["===", "~=", "==", "!=", "<=", ">=", "<", ">"].contains(String(op)), text.count > op.count else { return nil }
            }
            self.name = ProjectName.normalize(String(name))
            self.extras = extras
            self.specifier = specifier
            if let markerText {
                guard let marker = try? Marker(String(markerText)) else { return nil }
                self.marker = marker
            } else {
                marker = nil
            }
        }
    }

    /// The wheels for `requirements` and everything they need, or nil when pip should decide.
    func resolve(_ requirements: [String]) -> [Picked]? {
        guard let markers = interpreter.markerEnvironment, let python = Version(interpreter.version) else { return nil }
        if let fetching, !indexes.isEmpty {
            do { try FileManager.default.createDirectory(atPath: fetching.downloads, withIntermediateDirectories: true) } catch {
                return nil
            }
        }
        let local = listFolders()
        var picked: [String: Picked] = [:]
        var order: [String] = []
        var specifiers: [String: [String]] = [:]
        // A constraint that applies joins its project's specifiers before anything is picked.
        for text in constraints {
            guard let constraint = Requirement(text) else { return nil }
            if let marker = constraint.marker, !marker.evaluate(markers) { continue }
            specifiers[constraint.name, default: []].append(constraint.specifier)
        }
        var extrasDone: [String: Set<String>] = [:]
        var queue: [(text: String, extra: String)] = requirements.map { ($0, "") }
        while !queue.isEmpty {
            let (text, extra) = queue.removeFirst()
            guard let requirement = Requirement(text) else { return nil }
            var environment = markers
            environment["extra"] = extra
            if let marker = requirement.marker, !marker.evaluate(environment) { continue }
            specifiers[requirement.name, default: []].append(requirement.specifier)
            if let chosen = picked[requirement.name] {
                // pip would go back and choose again; this resolver leaves that case to pip.
                guard let version = Version(chosen.facts.version),
                      VersionSpecifier.satisfies(version, requirement.specifier) == true else { return nil }
            } else {
                guard let offer = offer(for: requirement.name, local: local, python: python),
                      let chosen = pick(offer, specifiers[requirement.name]!, hashes: constraintHashes[requirement.name],
                                        python: python) else { return nil }
                picked[requirement.name] = chosen
                order.append(requirement.name)
                queue += chosen.facts.requiresDist.map { ($0, "") }
            }
            // Dependencies behind an extra (`extra == "x"` markers), once per extra asked for;
            // an extra the project does not declare is ignored, as pip ignores it.
            let wheel = picked[requirement.name]!.facts
            let declared = Set(wheel.providesExtra.map(ProjectName.normalize))
            for name in requirement.extras where declared.contains(name) && extrasDone[requirement.name, default: []].insert(name).inserted {
                queue += wheel.requiresDist.map { ($0, name) }
            }
        }
        return order.map { picked[$0]! }
    }

    /// The newest final release satisfying `specifiers` (or pre-release, where pip would take
    /// one), best tag first, with its facts (see `examine`); nil when pip might choose
    /// otherwise (a newer sdist, pre-releases under a specifier) or the wheel cannot be had or
    /// is not valid.
    /// `hashes`: a hashed build constraint's; wheels without one of them are passed over, as
    /// pip passes over files whose hash is not allowed.
    private func pick(_ offer: Offer, _ specifiers: [String], hashes: [String]?, python: Version) -> Picked? {
        let specifier = specifiers.joined(separator: ",")
        func allowed(_ version: Version) -> Bool? { VersionSpecifier.satisfies(version, specifier) }
        var matching: [Candidate] = []
        for candidate in offer.wheels {
            guard let ok = allowed(candidate.version) else { return nil }
            if ok { matching.append(candidate) }
        }
        func isFinal(_ version: Version) -> Bool { version.pre == nil && version.dev == nil }
        var choices = matching.filter { isFinal($0.version) }
        if choices.isEmpty {
            // Only pre-releases match. With no specifier at all, pip takes them when nothing
            // final is there, sdists included (every pip does); with one, what it does depends
            // on its version of `packaging`, so that is left to pip.
            guard specifiers.allSatisfy({ $0.trimmingSpaces().isEmpty }),
                  !offer.sdists.contains(where: isFinal) else { return nil }
            choices = matching
        }
        choices.sort { $0.version != $1.version ? $0.version > $1.version : $0.rank < $1.rank }
        for candidate in choices {
            // pip would build a newer sdist rather than install this wheel.
            for sdist in offer.sdists where hashes == nil && sdist > candidate.version && (isFinal(sdist) || !isFinal(candidate.version)) {
                if allowed(sdist) != false { return nil }
            }
            // A wheel that does not validate: pip would fail on it, not pass it over.
            guard let (sha256, facts, path) = examine(candidate) else { return nil }
            // One for another Python is passed over, as pip passes it over.
            if let requires = facts.requiresPython, VersionSpecifier.satisfies(python, requires) != true { continue }
            if let hashes, !allows(hashes, candidate, sha256: sha256, path: path) { continue }
            return Picked(filename: candidate.filename, location: candidate.location, facts: facts, sha256: sha256, path: path)
        }
        return nil
    }

    /// Whether the candidate has one of `hashes` (`ALGORITHM:HEX`); a digest other than the
    /// SHA-256 is taken from the file, downloaded for it if need be.
    private func allows(_ hashes: [String], _ candidate: Candidate, sha256: String, path: String?) -> Bool {
        if hashes.contains("sha256:" + sha256) { return true }
        let others = hashes.filter { !$0.hasPrefix("sha256:") }
        guard !others.isEmpty,
              let file = path ?? (try? file(of: candidate.location, filename: candidate.filename, sha256: sha256))?.0 else {
            return false
        }
        return others.contains { hash in
            let parts = hash.split(separator: ":", maxSplits: 1).map(String.init)
            return parts.count == 2 && (try? FileDigest.hex(file, algorithm: parts[0])) == parts[1]
        }
    }

    /// The candidate's SHA-256, facts and file (nil: not downloaded): kept facts when a wheel
    /// with that hash was validated before (an index's hash is taken as given: the download is
    /// checked against it), else from validating the file, downloaded when it is an index's.
    /// nil: not to be had, or invalid.
    private func examine(_ candidate: Candidate) -> (String, Facts, String?)? {
        let notes = fetching?.http
        var known: String?
        var local: String?
        switch candidate.location {
        case .file(let path):
            known = try? FileDigest.sha256(path).hex
            local = path
        case .index(let file): known = file.sha256
        }
        if let known, let data = notes?.note("wheel-facts " + known), let facts = try? JSONDecoder().decode(Facts.self, from: data) {
            return (known, facts, local)
        }
        guard let (path, sha256) = try? file(of: candidate.location, filename: candidate.filename, sha256: known),
              let wheel = try? WheelValidator().validate(path) else { return nil }
        let facts = Facts(wheel)
        if let data = try? JSONEncoder().encode(facts) { notes?.keepNote(data, for: "wheel-facts " + sha256) }
        return (sha256, facts, path)
    }

    /// The path and SHA-256 of a wheel: a local one as it is, an index's downloaded through
    /// the HTTP cache into the downloads folder and checked against `sha256` when given.
    func file(of location: Candidate.Location, filename: String, sha256: String?) throws(BuildError) -> (String, String) {
        switch location {
        case .file(let path):
            if let sha256 { return (path, sha256) }
            do { return (path, try FileDigest.sha256(path).hex) } catch { throw .io(path: path, reason: "\(error)") }
        case .index(let file):
            guard let fetching, !filename.contains("/"), !filename.hasPrefix(".") else {
                throw .io(path: URLRedaction.redact(file.url), reason: "not a plain file name")
            }
            let path = fetching.downloads + "/" + filename
            FileTree.remove(path)
            let digest: String
            do {
                _ = try fetching.http.fetch(file.url, to: path)
                digest = try FileDigest.sha256(path).hex
            } catch {
                throw .io(path: URLRedaction.redact(file.url), reason: "cannot download it: \(error)")
            }
            if let sha256, sha256 != digest {
                throw .io(path: URLRedaction.redact(file.url), reason: "its SHA-256 is \(digest), not \(sha256) as the index says")
            }
            return (path, digest)
        }
    }

    /// What the local folders and then the indexes offer for project `name`; nil when an
    /// index cannot be read. Yanked files are left out (PEP 592: pip takes one only for an
    /// exact pin when nothing else matches, and then this resolver finds nothing and gives
    /// up), and so are files whose Requires-Python excludes the interpreter, as pip leaves them.
    private func offer(for name: String, local: [String: Offer], python: Version) -> Offer? {
        var offer = local[name] ?? Offer()
        guard let fetching else { return offer }
        let reader = SimpleIndex(cache: fetching.http)
        // Most of a project's files share a few Requires-Python values.
        var excluded: [String: Bool] = [:]
        for index in indexes {
            guard let files = try? reader.files(project: name, index: index, scratch: fetching.downloads) else { return nil }
            for file in files where !file.yanked {
                if let requires = file.requiresPython {
                    let no = excluded[requires] ?? (VersionSpecifier.satisfies(python, requires) == false)
                    excluded[requires] = no
                    if no { continue }
                }
                offer.add(file.filename, .index(file), project: name, interpreter: interpreter)
            }
        }
        return offer
    }

    /// What the local folders offer, by normalized project name.
    private func listFolders() -> [String: Offer] {
        var offers: [String: Offer] = [:]
        for folder in folders {
            for item in FileTree.items(folder) where item.kind == .file || item.kind == .link {
                let project: String
                if item.name.hasSuffix(".whl") {
                    guard let file = try? WheelFileName(item.name) else { continue }
                    project = file.normalizedName
                } else if let (name, _) = SdistFileName.nameAndVersion(item.name) {
                    project = name
                } else {
                    continue
                }
                offers[project, default: Offer()].add(item.name, .file(folder + "/" + item.name), project: project,
                                                      interpreter: interpreter)
            }
        }
        return offers
    }
}
