import FoundationEssentials

/// Copies a local project into a build folder, so building never writes into the user's tree
/// (setuptools leaves `build/` and `*.egg-info` behind otherwise).
enum SourceTreeCopy {
    /// Folders never copied: caches, virtual environments and earlier build output.
    static let skipped: Set<String> = [".tox", ".nox", ".venv", "venv", "__pycache__", ".mypy_cache",
                                       ".pytest_cache", ".ruff_cache", "node_modules", "build", "dist"]

    static func copy(_ source: String, to target: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: target, withIntermediateDirectories: true)
        for name in try manager.contentsOfDirectory(atPath: source) {
            if skipped.contains(name) || name.hasSuffix(".egg-info") { continue }
            try manager.copyItem(atPath: source + "/" + name, toPath: target + "/" + name)
        }
    }
}
