import WheelModel

/// `entry.json`: what an entry holds and how it was made. The key inputs are here so an
/// entry explains itself; the rest is provenance and never part of the key.
public struct EntryManifest: Codable, Equatable, Sendable {
    public static let currentSchema = 1
    /// The largest manifest read: one is a few KiB; anything near this is not ours.
    public static let maxBytes = 1 << 20

    public var schema: Int
    public var key: String
    public var keyInputs: JSONValue
    public var name: String
    public var version: String
    /// The wheel's file name inside the entry folder.
    public var wheel: String
    public var sha256: String
    public var size: Int64
    /// ISO 8601, UTC.
    public var created: String
    /// Where the source came from this time (informational: the key never depends on it).
    public var source: String
    public var interpreter: String
    public var backend: String
    /// Requirements installed in the build environment, `name==version`.
    public var buildRequirements: [String]
    public var buildSeconds: Double

    public init(key: String, keyInputs: JSONValue, name: String, version: String, wheel: String,
                sha256: String, size: Int64, created: String, source: String, interpreter: String,
                backend: String, buildRequirements: [String], buildSeconds: Double) {
        self.schema = EntryManifest.currentSchema
        self.key = key
        self.keyInputs = keyInputs
        self.name = name
        self.version = version
        self.wheel = wheel
        self.sha256 = sha256
        self.size = size
        self.created = created
        self.source = source
        self.interpreter = interpreter
        self.backend = backend
        self.buildRequirements = buildRequirements
        self.buildSeconds = buildSeconds
    }

    /// Reads the manifest without `JSONDecoder` (the hit path); nil when a field is missing or mistyped.
    public init?(json: JSONValue) {
        guard let schema = json["schema"]?.int, let key = json["key"]?.string, let keyInputs = json["key_inputs"]?.canonical,
              let name = json["name"]?.string, let version = json["version"]?.string, let wheel = json["wheel"]?.string,
              let sha256 = json["sha256"]?.string, let size = json["size"]?.int64, let created = json["created"]?.string,
              let source = json["source"]?.string, let interpreter = json["interpreter"]?.string,
              let backend = json["backend"]?.string, let buildRequirements = json["build_requirements"]?.strings,
              let buildSeconds = json["build_seconds"]?.double else { return nil }
        self.init(key: key, keyInputs: keyInputs, name: name, version: version, wheel: wheel, sha256: sha256, size: size,
                  created: created, source: source, interpreter: interpreter, backend: backend,
                  buildRequirements: buildRequirements, buildSeconds: buildSeconds)
        self.schema = schema
    }

    enum CodingKeys: String, CodingKey {
        case schema, key, name, version, wheel, sha256, size, created, source, interpreter, backend
        case keyInputs = "key_inputs"
        case buildRequirements = "build_requirements"
        case buildSeconds = "build_seconds"
    }
}
