import FoundationEssentials
import WheelSystem

/// Build options that change a build's output, and so are part of the cache key.
public struct BuildOptions: Equatable, Sendable {
    /// `--config-setting KEY=VALUE`; a key given more than once collects a list, as pip does.
    public var configSettings: [String: [String]]
    /// Whether the build runs in an isolated environment (`--no-build-isolation` turns it off).
    public var isolation: Bool

    public init(configSettings: [String: [String]] = [:], isolation: Bool = true) {
        self.configSettings = configSettings
        self.isolation = isolation
    }

    /// Parses `KEY=VALUE` arguments in order.
    public static func parseConfigSettings(_ items: [String]) throws(ModelError) -> [String: [String]] {
        var settings: [String: [String]] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw .invalidConfigSetting(item)
            }
            settings[String(item[..<eq]), default: []].append(String(item[item.index(after: eq)...]))
        }
        return settings
    }

    var keyJSON: JSONValue {
        .object([
            "config_settings": .object(configSettings.mapValues { .array($0.map(JSONValue.string)) }),
            "isolation": .bool(isolation),
        ])
    }
}

/// Which packages a `--no-binary` selection names, with pip's accumulation rules:
/// `:all:` selects everything, `:none:` clears what came before, names add to the set.
public struct PackageSelector: Equatable, Sendable {
    public private(set) var all = false
    public private(set) var names: Set<String> = []

    public init() {}

    /// Applies each `--no-binary` value in order (each may hold comma-separated items).
    public init(arguments: [String]) throws(ModelError) {
        for argument in arguments {
            for item in argument.split(separator: ",").map({ $0.trimmingSpaces() }) {
                switch item {
                case ":all:": all = true; names = []
                case ":none:": all = false; names = []
                case "": continue
                default:
                    names.insert(try ProjectName(item).normalized)
                }
            }
        }
    }

    /// Whether the project is selected.
    public func matches(_ name: String) -> Bool {
        all || names.contains(ProjectName.normalize(name))
    }

    /// Whether anything at all is selected.
    public var isEmpty: Bool { !all && names.isEmpty }
}
