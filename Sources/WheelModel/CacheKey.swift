import Crypto
import FoundationEssentials
import WheelSystem

/// Where a source's bytes come from, as far as the key is concerned. Never a path or a URL:
/// the same sdist from a mirror or under another file name has the same identity.
public enum SourceIdentity: Equatable, Sendable {
    /// An sdist archive, identified by the SHA-256 (hex) of its bytes.
    case sdist(sha256: String)
    /// A git commit (full id, lowercase) and the project's folder inside it. The URL is not
    /// part of it: the same commit from a mirror is the same source.
    case git(commit: String, subdirectory: String?)
    /// A wheel downloaded from an index, identified by the SHA-256 of its bytes. Nothing was
    /// built, so neither the build options nor the interpreter are part of its key.
    case wheel(sha256: String)

    var keyJSON: JSONValue {
        switch self {
        case .sdist(let sha256): return .object(["kind": .string("sdist"), "sha256": .string(sha256)])
        case .wheel(let sha256): return .object(["kind": .string("wheel"), "sha256": .string(sha256)])
        case .git(let commit, let subdirectory):
            return .object(["kind": .string("git"), "commit": .string(commit.lowercased()),
                            "subdirectory": subdirectory.map(JSONValue.string) ?? .null])
        }
    }
}

/// The inputs of a cache key and its digest.
///
/// The digest is SHA-256 over the canonical JSON of the inputs (never Swift's `Hasher`, which
/// is seeded per process). An sdist's name and version are fixed by its bytes, so they are not
/// read on the hit path and are `null` here; sources whose name and version are known before
/// the build (pins) will carry them.
public struct CacheKey: Equatable, Sendable, CustomStringConvertible {
    /// Bumped whenever the serialization or the meaning of a field changes.
    public static let schemaVersion = 1

    public let source: SourceIdentity
    public let name: String?
    public let version: String?
    /// Nil for downloaded wheels, which nothing built.
    public let options: BuildOptions?
    public let interpreter: Interpreter?
    /// The inputs as a JSON value (kept in the entry's manifest).
    public let inputs: JSONValue
    /// The canonical text that is hashed.
    public let canonicalText: String
    /// SHA-256 hex of `canonicalText`.
    public let digest: String

    /// The key of a downloaded wheel: its SHA-256 alone.
    public init(source: SourceIdentity) {
        self.init(source: source, name: nil, version: nil, options: nil, interpreter: nil)
    }

    public init(source: SourceIdentity, name: String? = nil, version: String? = nil,
                options: BuildOptions, interpreter: Interpreter) {
        self.init(source: source, name: name, version: version, options: Optional(options), interpreter: Optional(interpreter))
    }

    private init(source: SourceIdentity, name: String?, version: String?, options: BuildOptions?, interpreter: Interpreter?) {
        self.source = source
        self.name = name.map(ProjectName.normalize)
        self.version = version
        self.options = options
        self.interpreter = interpreter
        var fields: [String: JSONValue] = ["schema": .int(CacheKey.schemaVersion), "source": source.keyJSON]
        if let options, let interpreter {
            fields["name"] = self.name.map(JSONValue.string) ?? .null
            fields["version"] = version.map(JSONValue.string) ?? .null
            fields["build"] = options.keyJSON
            fields["interpreter"] = interpreter.keyJSON
        }
        let json = JSONValue.object(fields)
        inputs = json
        canonicalText = json.text
        digest = SHA256.hash(data: Data(canonicalText.utf8)).hexString
    }

    public var description: String { digest }
}

extension CacheKey {
    /// SHA-256 (hex) of a string; for stable file names, not for keys.
    public static func plainDigest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexString
    }
}
