import Foundation

/// A source named on the command line, classified before anything is read.
public enum SourceSpec: Equatable, Sendable {
    /// An sdist archive on disk (any file name).
    case sdistFile(path: String)
    /// A local source tree: built every time, never cached.
    case directory(path: String)

    /// The path on disk.
    public var path: String {
        switch self {
        case .sdistFile(let path), .directory(let path): return path
        }
    }

    /// Classifies `argument`; a path that does not exist, or a kind of source this version
    /// cannot take, is bad input.
    public static func classify(_ argument: String) throws(PipelineError) -> SourceSpec {
        let lower = argument.lowercased()
        for scheme in ["http://", "https://", "file://", "git+", "hg+", "svn+", "bzr+"] where lower.hasPrefix(scheme) {
            throw .unsupportedSource(argument, "URL and VCS sources are not supported yet; download the sdist and pass its path")
        }
        let path = argument.hasPrefix("/") ? argument : FileManager.default.currentDirectoryPath + "/" + argument
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missingSource(argument)
        }
        let standardized = (path as NSString).standardizingPath
        return isDirectory.boolValue ? .directory(path: standardized) : .sdistFile(path: standardized)
    }
}

/// Errors of the pipeline itself: sources that cannot be taken.
public enum PipelineError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingSource(String)
    case unsupportedSource(String, String)

    public var description: String {
        switch self {
        case .missingSource(let source):
            return "source '\(source)' does not exist; pass the path of an sdist (.tar.gz, .zip) or of a project folder"
        case .unsupportedSource(let source, let why):
            return "source '\(source)': \(why)"
        }
    }
}
