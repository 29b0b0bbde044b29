import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelArchive
import WheelBuild
import WheelFetch
import WheelModel
import WheelStore
import WheelSystem

// Stage 3: buildable source -> source tree (unpack, copy or check out).

extension BuildPipeline {
    /// Lays the source tree out in `work`. An sdist is checked here, where bad input fails
    /// before anything is written, and its build system read from the archive; the tree is
    /// then written on another thread while the build starts. Callers wait for it (`finish`)
    /// before removing `work`.
    func materialize(_ source: BuildableSource, label: String, work: String) throws -> SourceTree {
        let src = work + "/src"
        switch source {
        case .sdistFile(let path):
            return try unpacking(path, label: label, work: work)
        case .sdistURL(let url, let sha256):
            let fetched = try downloads.fetch(url, filename: URLFileName.of(url), expected: [sha256], scratch: work)
            return try unpacking(fetched.path, label: label, work: work)
        case .directory(let path):
            let tree = src + "/" + PathText.lastComponent(path)
            try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
            try SourceTreeCopy.copy(path, to: tree, excluding: [store?.root, request.wheelDirectory].compactMap { $0 })
            return .ready(tree)
        case .git(let url, let commit, let refs):
            try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
            let git = try GitClient(environment: request.environment)
            // The tags at the commit come along, so setuptools-scm and friends see a release.
            let listed = try refs ?? git.listRemote(url)
            return .ready(try GitMirrors(client: git, bucket: store?.path(.git)).checkout(
                url, commit: commit, tags: listed.tags(at: commit), into: src + "/checkout", scratch: work,
                waiting: { notice("waiting for another wheelcache process that is fetching \(url.redacted)") }))
        }
    }

    /// The tree goes into memory (`MemoryTrees`) when it may, else into `work/src`.
    private func unpacking(_ archive: String, label: String, work: String) throws -> SourceTree {
        let unpacker = SdistUnpacker()
        let checked = try unpacker.check(archive, reading: ["pyproject.toml", "setup.py"])
        var system: BuildSystem?
        // A pyproject.toml that is a link, or too big to read here, is read from the tree.
        if !checked.present.contains("pyproject.toml") || checked.contents["pyproject.toml"] != nil {
            system = try WheelBuilder.buildSystem(pyproject: checked.contents["pyproject.toml"],
                                                  hasSetupPy: checked.present.contains("setup.py"),
                                                  tree: label, path: label + " (pyproject.toml)")
        }
        var memory: String?
        // The staging folder's lock owns the memory folder, so a killed build's is found.
        if request.environment["WHEELCACHE_MEMORY_TREES"] != "0", !checked.hasCompiledSources,
           access(work + ".lock", F_OK) == 0 {
            memory = MemoryTrees.folder(for: checked.unpackedSize, ownerLock: work + ".lock")
        }
        let src = memory.map { $0 + "/src" } ?? work + "/src"
        do { try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true) } catch {
            if let memory { FileTree.remove(memory) }
            throw error
        }
        return SourceTree(system: system, writing: Pending { try unpacker.write(checked, into: src) }, outside: memory)
    }
}
