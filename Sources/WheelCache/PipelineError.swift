/// Errors of the pipeline itself: sources that cannot be taken.
public enum PipelineError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingSource(String)
    case unsupportedSource(String, String)
    case wrongProject(source: String, expected: String, actual: String)
    case wrongVersion(source: String, expected: String, actual: String)
    case notOnIndex(name: String, version: String, where: String)
    /// A requirements-file line without a hash while hash checking is on.
    case unhashed(source: String, why: String)
    /// A source whose wheel cannot be had this way (a cached file gone since it was found).
    case unavailable(source: String, reason: String)

    public var description: String {
        switch self {
        case .missingSource(let source):
            return "source '\(source)' does not exist; pass the path of an sdist (.tar.gz, .zip) or of a project folder"
        case .unsupportedSource(let source, let why):
            return "source '\(source)': \(why)"
        case .notOnIndex(let name, let version, let place):
            return "\(name)==\(version): \(place); check the name, the version and --index-url"
        case .wrongVersion(let source, let expected, let actual):
            return "source '\(source)' was asked for as version \(expected) but holds version \(actual); fix the version or the hash"
        case .unhashed(let source, let why):
            return "source '\(source)' has no hash, and hash checking is on (\(why)); add --hash=sha256:… to its line (pip hash FILE prints it)"
        case .unavailable(let source, let reason):
            return "source '\(source)': \(reason)"
        case .wrongProject(let source, let expected, let actual):
            return "source '\(source)' was asked for as '\(expected)' but holds the project '\(actual)'; fix the name before '@' or #egg="
        }
    }
}
