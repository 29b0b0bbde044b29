/// An archive that passed the first pass, and what that pass read.
public struct CheckedArchive: Sendable {
    public var archive: String
    var archiveSize: Int64
    var topFolder: Bool
    /// The top folder's name (empty without `topFolder`).
    public var top: String
    /// Which of the members asked for are in the archive, as any kind of entry.
    public var present: Set<String> = []
    /// The contents of those that are small regular files.
    public var contents: [String: [UInt8]] = [:]
    /// The sizes its headers declare, summed.
    public var unpackedSize: Int64 = 0
    /// Whether it holds sources that Python build backends compile (C, C++, Cython, Rust,
    /// Fortran) or a CMake or Meson project: a build that may write far more than the tree.
    public var hasCompiledSources = false

    static let compiledSuffixes = [".c", ".cc", ".cpp", ".cxx", ".pyx", ".rs", ".f", ".f90"]

    static func compiled(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "cmakelists.txt" || lower == "meson.build" || compiledSuffixes.contains { lower.hasSuffix($0) }
    }

    init(archive: String, archiveSize: Int64, topFolder: Bool, top: String) {
        self.archive = archive
        self.archiveSize = archiveSize
        self.topFolder = topFolder
        self.top = top
    }
}
