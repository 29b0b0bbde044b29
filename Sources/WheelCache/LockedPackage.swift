import FoundationEssentials
import WheelModel
import WheelSystem

/// A package of a PEP 751 lock as a source: its wheels (the best for the target interpreter
/// is taken when one fits), else its sdist, archive, git commit or folder.
public struct LockedPackage: Equatable, Sendable {
    public struct File: Equatable, Sendable {
        var filename: String
        var url: String
        /// `ALGORITHM:HEX`.
        var hashes: [String]
    }

    var name: String
    var version: String?
    var requiresPython: String?
    var wheels: [File]
    /// Used when no wheel fits, with the hashes its file must match (none for git and folders).
    var fallback: SourceSpec?
    var fallbackHashes: [String]

    /// The package of `lock`, whose paths are relative to the lock file's `folder`.
    init(_ package: PylockFile.Package, folder: String) throws(PipelineError) {
        name = package.name
        version = package.version
        requiresPython = package.requiresPython
        func location(_ artifact: PylockFile.Artifact) -> String {
            if let url = artifact.url { return url }
            return URL(fileURLWithPath: LockedPackage.absolute(artifact.path ?? "", folder)).absoluteString
        }
        wheels = package.wheels.map { File(filename: $0.name ?? URLFileName.of(location($0)), url: location($0), hashes: $0.hashes) }
        fallbackHashes = []
        if let sdist = package.sdist ?? package.archive {
            fallback = .url(location(sdist), name: package.name)
            fallbackHashes = sdist.hashes
        } else if let vcs = package.vcs {
            let remote = vcs.url ?? URL(fileURLWithPath: LockedPackage.absolute(vcs.path ?? "", folder)).absoluteString
            let text = "git+" + remote + "@" + vcs.commit + (vcs.subdirectory.map { "#subdirectory=" + $0 } ?? "")
            do { fallback = .git(try GitURL(text), name: package.name) } catch {
                throw .unsupportedSource(package.name, "its git source: \(error)")
            }
        } else if let directory = package.directory {
            fallback = .directory(path: LockedPackage.absolute(directory, folder))
        }
    }

    private static func absolute(_ path: String, _ folder: String) -> String {
        PathText.standardized(path.hasPrefix("/") ? path : folder + "/" + path)
    }

    /// The label results show: `name==version`.
    var label: String { version.map { "\(name)==\($0)" } ?? name }
}
