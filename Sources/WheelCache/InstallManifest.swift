import FoundationEssentials
import WheelModel
import WheelSystem

/// What a run delivered, as a file an installer takes offline: a pip requirements file
/// (`--requirements-out`) or a PEP 751 `pylock.toml` (`--pylock-out`). Each wheel is pinned
/// by name, version and SHA-256, keeping the input line's hashes (pip accepts any listed
/// hash, and checks the wheel against them: without the wheel's own, a hash-pinned sdist's
/// wheel is refused) and its environment marker.
struct InstallManifest {
    enum Format { case requirements, pylock }

    struct Package: Equatable {
        var name: String
        var version: String
        var marker: String?
        /// `ALGORITHM:HEX`, the input's first, then the wheel's.
        var hashes: [String]
        /// The delivered wheel's path and its SHA-256 (its size is read for a pylock only).
        var wheel: String
        var sha256: String
    }

    var packages: [Package] = []

    /// One package per delivered wheel, in input order; a project delivered twice is listed
    /// once, with both lines' hashes.
    init(sources: [PlannedSource], results: [SourceResult]) {
        var positions: [String: Int] = [:]  // by name and wheel: the same wheel asked twice is one line
        for (source, result) in zip(sources, results) {
            guard let name = result.name, let version = result.version, let wheel = result.wheel,
                  let sha256 = result.sha256 else { continue }
            var package = Package(name: ProjectName.normalize(name), version: version, marker: source.markerText,
                                  hashes: source.inputHashes, wheel: wheel, sha256: sha256)
            package.hashes.append("sha256:" + sha256)
            if let index = positions[package.name + "\u{0}" + wheel] {
                packages[index].hashes += package.hashes
                if package.marker == nil { packages[index].marker = nil }
            } else {
                positions[package.name + "\u{0}" + wheel] = packages.count
                packages.append(package)
            }
        }
        for index in packages.indices {
            var seen = Set<String>()
            packages[index].hashes = packages[index].hashes.filter { seen.insert($0).inserted }
        }
    }

    /// Writes the file whole (a temporary name, then a rename) or not at all.
    func write(_ format: Format, to path: String) throws(SystemError) {
        let text = format == .requirements ? requirementsText() : pylockText(lockFolder: PathText.parent(path))
        try FileWrite.makeDirectories(PathText.parent(path))
        try FileWrite.atomically(Data(text.utf8), to: path)
    }

    func requirementsText() -> String {
        var lines = ["# Written by wheelcache: the wheels it delivered, pinned by hash. Install them offline with",
                     "#   pip install --no-index --require-hashes --find-links WHEEL_DIR -r THIS_FILE"]
        for package in packages {
            let marker = package.marker.map { " ; " + $0 } ?? ""
            lines.append("\(package.name)==\(package.version)\(marker) \\")
            lines += package.hashes.enumerated().map { index, hash in
                "    --hash=\(hash)" + (index == package.hashes.count - 1 ? "" : " \\")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// PEP 751: each wheel by a path relative to the lock file's folder.
    func pylockText(lockFolder: String) -> String {
        var lines = ["lock-version = \"1.0\"", "created-by = \"wheelcache\"", ""]
        for package in packages {
            lines.append("[[packages]]")
            lines.append("name = \(toml(package.name))")
            lines.append("version = \(toml(package.version))")
            if let marker = package.marker { lines.append("marker = \(toml(marker))") }
            let file = PathText.lastComponent(package.wheel)
            let path = InstallManifest.relative(package.wheel, from: lockFolder)
            lines.append("wheels = [{ name = \(toml(file)), path = \(toml(path)), size = \(FileTree.size(package.wheel)), hashes = { sha256 = \(toml(package.sha256)) } }]")
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// A TOML basic string: JSON's escapes, and DEL, which TOML wants escaped too.
    private func toml(_ text: String) -> String {
        var out = ""
        JSONValue.writeString(text, into: &out)
        return out.replacing("\u{7F}", with: "\\u007f")
    }

    /// `path` relative to the folder `base` (both absolute).
    static func relative(_ path: String, from base: String) -> String {
        let target = PathText.standardized(path).split(separator: "/")
        let origin = PathText.standardized(base).split(separator: "/")
        var common = 0
        while common < min(target.count, origin.count), target[common] == origin[common] { common += 1 }
        let up = Array(repeating: "..", count: origin.count - common)
        return (up + target[common...].map(String.init)).joined(separator: "/")
    }
}
