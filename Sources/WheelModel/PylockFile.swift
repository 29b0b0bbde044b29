import WheelSystem

/// A PEP 751 lock file (`pylock.toml`, `pylock.NAME.toml`), read for what an installer needs:
/// the packages with their markers and their files (wheels, an sdist, a git commit, an
/// archive or a folder), each archive with its hashes.
public struct PylockFile: Equatable, Sendable {
    /// A file of a package: by URL or by a path relative to the lock file.
    public struct Artifact: Equatable, Sendable {
        public var url: String?
        public var path: String?
        /// The file name (wheels and sdists), when given or taken from the URL or path.
        public var name: String?
        /// `ALGORITHM:HEX`.
        public var hashes: [String]
        public var subdirectory: String?
    }

    /// `[packages.vcs]`: a git repository at a commit.
    public struct VCS: Equatable, Sendable {
        public var url: String?
        public var path: String?
        public var commit: String
        public var subdirectory: String?
    }

    public struct Package: Equatable, Sendable {
        public var name: String
        public var version: String?
        public var marker: String?
        public var requiresPython: String?
        public var wheels: [Artifact] = []
        public var sdist: Artifact?
        public var vcs: VCS?
        public var archive: Artifact?
        public var directory: String?
    }

    public var requiresPython: String?
    /// Markers of the environments the lock is for (empty: any).
    public var environments: [String] = []
    public var packages: [Package] = []

    /// PEP 751's file names: `pylock.toml` and `pylock.NAME.toml`.
    public static func isLockFileName(_ name: String) -> Bool {
        if name == "pylock.toml" { return true }
        guard name.count > "pylock..toml".count, name.hasPrefix("pylock."), name.hasSuffix(".toml") else { return false }
        return !name.dropFirst("pylock.".count).dropLast(".toml".count).contains(".")
    }

    /// Reads a lock; `file` names it in errors. A lock of another major version, a package
    /// without a name or a file, a version control system other than git, or an archive
    /// without a hash is an error naming the package.
    public static func parse(_ text: String, file: String) throws(ModelError) -> PylockFile {
        let root = try TOMLParser.parse(text)
        func fail(_ why: String) -> ModelError { .requirements(location: file, why) }
        guard let version = root["lock-version"]?.text, version.split(separator: ".").first == "1" else {
            throw fail("lock-version '\(root["lock-version"]?.text ?? "")' is not supported; wheelcache reads PEP 751 locks of version 1.x")
        }
        var lock = PylockFile()
        lock.requiresPython = root["requires-python"]?.text
        lock.environments = root["environments"]?.strings ?? []
        guard case .array(let packages)? = root["packages"] else { return lock }
        for (index, value) in packages.enumerated() {
            lock.packages.append(try package(value, index: index, fail: fail))
        }
        return lock
    }

    private static func package(_ value: TOMLValue, index: Int, fail: (String) -> ModelError) throws(ModelError) -> Package {
        guard let name = value["name"]?.text, ProjectName.isValid(name) else {
            throw fail("package \(index + 1) has no valid name")
        }
        func failing(_ why: String) -> ModelError { fail("package '\(name)': \(why)") }
        var package = Package(name: name, version: value["version"]?.text, marker: value["marker"]?.text,
                              requiresPython: value["requires-python"]?.text)
        if case .array(let wheels)? = value["wheels"] {
            for wheel in wheels { package.wheels.append(try artifact(wheel, what: "a wheel", fail: failing)) }
        }
        if let sdist = value["sdist"] { package.sdist = try artifact(sdist, what: "its sdist", fail: failing) }
        if let archive = value["archive"] { package.archive = try artifact(archive, what: "its archive", fail: failing) }
        if let vcs = value["vcs"] {
            guard vcs["type"]?.text == "git" else {
                throw failing("a '\(vcs["type"]?.text ?? "?")' repository cannot be built; wheelcache fetches git commits only")
            }
            guard let commit = vcs["commit-id"]?.text, vcs["url"]?.text != nil || vcs["path"]?.text != nil else {
                throw failing("its git source needs a url (or path) and a commit-id")
            }
            package.vcs = VCS(url: vcs["url"]?.text, path: vcs["path"]?.text, commit: commit,
                              subdirectory: vcs["subdirectory"]?.text)
        }
        package.directory = value["directory"]?["path"]?.text
        if package.wheels.isEmpty && package.sdist == nil && package.archive == nil && package.vcs == nil
            && package.directory == nil {
            throw failing("it names no wheel, sdist, archive, git commit or folder to install from")
        }
        return package
    }

    private static func artifact(_ value: TOMLValue, what: String, fail: (String) -> ModelError) throws(ModelError) -> Artifact {
        let url = value["url"]?.text, path = value["path"]?.text
        guard url != nil || path != nil else { throw fail("\(what) has neither a url nor a path") }
        var hashes: [String] = []
        if case .table(let table)? = value["hashes"] {
            for (algorithm, digest) in table.sorted(by: { $0.key < $1.key }) {
                if let hex = digest.text { hashes.append(algorithm.lowercased() + ":" + hex.lowercased()) }
            }
        }
        guard !hashes.isEmpty else { throw fail("\(what) has no hashes (PEP 751 requires them)") }
        let name = value["name"]?.text ?? (url ?? path).map { location in
            let withoutQuery = String(location.split(separator: "#").first ?? "").split(separator: "?").first ?? ""
            return PathText.lastComponent(String(withoutQuery))
        }
        return Artifact(url: url, path: path, name: name, hashes: hashes, subdirectory: value["subdirectory"]?.text)
    }
}
