/// Errors from parsing the values wheelcache reads: names, wheel file names, TOML, RECORD.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidProjectName(String)
    case invalidWheelFileName(String)
    case invalidConfigSetting(String)
    case toml(line: Int, message: String)
    case invalidBuildSystem(String)
    case invalidRecord(line: Int, message: String)
    case invalidGitURL(String, String)
    case invalidMarker(String, String)
    case requirements(location: String, String)

    public var description: String {
        switch self {
        case .invalidProjectName(let name):
            return "'\(name)' is not a valid project name (PEP 508: letters, digits, '-', '_', '.')"
        case .invalidWheelFileName(let name):
            return "'\(name)' is not a wheel file name of the form name-version(-build)?-python-abi-platform.whl (PEP 427)"
        case .invalidConfigSetting(let text):
            return "config setting '\(text)' is not of the form KEY=VALUE"
        case .toml(let line, let message):
            return "pyproject.toml line \(line): \(message)"
        case .invalidBuildSystem(let message):
            return "pyproject.toml [build-system]: \(message)"
        case .invalidRecord(let line, let message):
            return "RECORD line \(line): \(message)"
        case .invalidMarker(let text, let why):
            return "environment marker '\(text)': \(why)"
        case .requirements(let location, let why):
            return "\(location): \(why)"
        case .invalidGitURL(let url, let why):
            return "'\(url)' is not a usable git URL: \(why)"
        }
    }
}
