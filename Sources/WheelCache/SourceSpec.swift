#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import WheelModel
import WheelSystem

/// A source named on the command line, classified before anything is read.
public enum SourceSpec: Equatable, Sendable {
    /// An sdist archive on disk (any file name).
    case sdistFile(path: String)
    /// A local source tree: built every time, never cached.
    case directory(path: String)
    /// A git repository at a revision; `name` is the project the user asked for
    /// (`name @ git+…` or `#egg=`), checked against what the commit builds.
    case git(GitURL, name: String?)
    /// An http(s) or file URL of an sdist or a wheel; `name` from `name @ URL`.
    case url(String, name: String?)
    /// `name==version`, looked up on the index.
    case pin(name: String, version: String)
    /// A package of a PEP 751 lock (`-r pylock.toml`).
    indirect case locked(LockedPackage)

    /// Classifies `argument`; a path that does not exist, or a kind of source this version
    /// cannot take, is bad input.
    public static func classify(_ argument: String) throws(PipelineError) -> SourceSpec {
        let (name, location) = try splitDirectReference(argument)
        let lower = location.lowercased()
        if lower.hasPrefix("git+") {
            do {
                let url = try GitURL(location)
                return .git(url, name: name ?? url.eggName)
            } catch {
                throw .unsupportedSource(URLRedaction.redact(argument), error.description)
            }
        }
        for scheme in ["hg+", "svn+", "bzr+"] where lower.hasPrefix(scheme) {
            throw .unsupportedSource(URLRedaction.redact(argument), "only git is supported among version control systems")
        }
        for scheme in ["http://", "https://", "file://"] where lower.hasPrefix(scheme) {
            return .url(location, name: name)
        }
        if let scheme = lower.firstRange(of: "://"), !lower[..<scheme.lowerBound].contains("/") {
            throw .unsupportedSource(URLRedaction.redact(argument), "only http://, https://, file:// and git+… URLs are supported")
        }
        if name != nil {
            throw .unsupportedSource(URLRedaction.redact(argument), "'name @ …' takes a URL (https://…, file://…, git+https://…); pass a local path on its own")
        }
        let path = argument.hasPrefix("/") ? argument : FileManager.default.currentDirectoryPath + "/" + argument
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return try requirement(argument)
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG, info.st_mode & S_IFMT != S_IFDIR {
            throw .unsupportedSource(argument, "is not a file or a folder (a FIFO, socket or device), so it is neither an sdist nor a project; pass an sdist file or a project folder")
        }
        let standardized = PathText.standardized(path)
        return isDirectory ? .directory(path: standardized) : .sdistFile(path: standardized)
    }

    /// What is not an existing path is read as a PEP 508 requirement, as pip wheel reads it:
    /// `name==version` is a pin; an unpinned one gets the error a requirements-file line
    /// would; what looks like a path (a `/`, a leading `.`, an archive's suffix) is missing.
    static func requirement(_ argument: String) throws(PipelineError) -> SourceSpec {
        let line: RequirementLine
        do { line = try RequirementsFile.requirement(argument, hashes: [], location: "command line") } catch {
            guard case .requirements(_, let why) = error, why.contains("is not pinned") else { throw .missingSource(URLRedaction.redact(argument)) }
            throw .unsupportedSource(argument, "not pinned to one version; wheelcache builds exact pins (name==version), as pip-compile and uv pip compile write them")
        }
        switch line.kind {
        case .pin(let name, let version):
            guard line.marker == nil else {
                throw .unsupportedSource(argument, "environment markers ('; …') are not supported on the command line; drop them")
            }
            return .pin(name: name, version: version)
        case .path, .url, .vcs:
            throw .missingSource(URLRedaction.redact(argument))
        }
    }

    /// Splits PEP 508's `name [extras] @ URL` into the name and the URL; anything else is
    /// returned whole. Extras do not change the wheel, so they are dropped.
    static func splitDirectReference(_ argument: String) throws(PipelineError) -> (String?, String) {
        guard let at = argument.firstIndex(of: "@") else { return (nil, argument) }
        var left = argument[..<at].trimmingSpaces()
        let right = argument[argument.index(after: at)...].trimmingSpaces()
        if let bracket = left.firstIndex(of: "["), left.hasSuffix("]") {
            left = left[..<bracket].trimmingSpaces()
        }
        guard ProjectName.isValid(left), right.contains("://") || right.lowercased().hasPrefix("git+") else {
            return (nil, argument)
        }
        // PEP 508 puts markers after the URL, separated by white space and ';'.
        if let space = right.firstIndex(where: \.isWhitespace) {
            let rest = right[space...].trimmingSpaces()
            if rest.hasPrefix(";") {
                throw .unsupportedSource(URLRedaction.redact(argument), "environment markers ('; …') are not supported on the command line; drop them")
            }
            throw .unsupportedSource(URLRedaction.redact(argument), "unexpected text after the URL: '\(rest)'")
        }
        return (left, right)
    }
}
