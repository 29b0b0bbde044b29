/// The `[build-system]` table of `pyproject.toml` (PEP 517, PEP 518).
public struct BuildSystem: Equatable, Sendable {
    /// Requirements to install before calling the backend.
    public var requires: [String]
    /// The backend object reference, `module` or `module:object`.
    public var backend: String
    /// Folders (relative to the source tree) put first on `sys.path` for an in-tree backend.
    public var backendPath: [String]

    public init(requires: [String], backend: String, backendPath: [String] = []) {
        self.requires = requires
        self.backend = backend
        self.backendPath = backendPath
    }

    /// What a project without `pyproject.toml` or without `[build-system]` gets, as pip does.
    public static let legacyBackend = "setuptools.build_meta:__legacy__"
    public static let legacyDefault = BuildSystem(requires: ["setuptools>=40.8.0"], backend: legacyBackend)

    /// Reads the table from the text of `pyproject.toml` (nil when the file is absent).
    public static func parse(pyproject text: String?) throws(ModelError) -> BuildSystem {
        guard let text else { return legacyDefault }
        let root = try TOMLParser.parse(text)
        guard let table = root["build-system"] else { return legacyDefault }
        guard case .table = table else { throw .invalidBuildSystem("must be a table") }
        // PEP 518: a [build-system] table must say what it requires.
        guard let requiresValue = table["requires"] else {
            throw .invalidBuildSystem("'requires' is missing; list the build requirements, e.g. requires = [\"setuptools\"]")
        }
        let requires = try strings(requiresValue, field: "requires")
        var backend = legacyBackend
        if let value = table["build-backend"] {
            guard case .string(let b) = value, !b.isEmpty else {
                throw .invalidBuildSystem("'build-backend' must be a non-empty string")
            }
            backend = b
        }
        var backendPath: [String] = []
        if let value = table["backend-path"] { backendPath = try strings(value, field: "backend-path") }
        return BuildSystem(requires: requires, backend: backend, backendPath: backendPath)
    }

    private static func strings(_ value: TOMLValue, field: String) throws(ModelError) -> [String] {
        guard case .array(let items) = value else { throw .invalidBuildSystem("'\(field)' must be an array of strings") }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw .invalidBuildSystem("'\(field)' must be an array of strings") }
            out.append(s)
        }
        return out
    }
}
