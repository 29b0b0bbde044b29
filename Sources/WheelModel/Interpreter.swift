/// What wheelcache knows about a target Python interpreter; learned once by a probe and cached.
public struct Interpreter: Codable, Equatable, Sendable {
    /// The real executable (`sys.executable`, symbolic links resolved).
    public var executable: String
    /// `sys.implementation.name`, e.g. `cpython`.
    public var implementation: String
    /// Full version, e.g. `3.11.7`.
    public var version: String
    /// Major and minor, e.g. `3.11`.
    public var pythonVersion: String
    /// The interpreter tag, e.g. `cp311` (PEP 425).
    public var pythonTag: String
    /// The ABI tag, e.g. `cp311` or `cp313t` (PEP 425, PEP 703).
    public var abiTag: String
    /// The platform tag, e.g. `linux_x86_64`.
    public var platformTag: String
    /// Whether this is a free-threaded build (`Py_GIL_DISABLED`).
    public var freeThreaded: Bool
    /// The version of its pip, if it has one.
    public var pipVersion: String?
    /// Wheel tags it accepts, most preferred first (`packaging.tags.sys_tags()`).
    public var supportedTags: [String]?
    /// PEP 508 marker variables (`python_version`, `sys_platform`, …).
    public var markerEnvironment: [String: String]?

    public init(
        executable: String, implementation: String, version: String, pythonVersion: String,
        pythonTag: String, abiTag: String, platformTag: String, freeThreaded: Bool, pipVersion: String?,
        supportedTags: [String]? = nil, markerEnvironment: [String: String]? = nil
    ) {
        self.supportedTags = supportedTags
        self.markerEnvironment = markerEnvironment
        self.executable = executable
        self.implementation = implementation
        self.version = version
        self.pythonVersion = pythonVersion
        self.pythonTag = pythonTag
        self.abiTag = abiTag
        self.platformTag = platformTag
        self.freeThreaded = freeThreaded
        self.pipVersion = pipVersion
    }

    /// Reads the `Codable` form without `JSONDecoder` (the hit path); nil when a field is
    /// missing or mistyped.
    public init?(json: JSONValue) {
        guard let executable = json["executable"]?.string, let implementation = json["implementation"]?.string,
              let version = json["version"]?.string, let pythonVersion = json["pythonVersion"]?.string,
              let pythonTag = json["pythonTag"]?.string, let abiTag = json["abiTag"]?.string,
              let platformTag = json["platformTag"]?.string, let freeThreaded = json["freeThreaded"]?.bool else { return nil }
        // Absent or null reads as nil (.some(nil)); present but mistyped fails the record (nil).
        func optional<T>(_ key: String, _ read: (JSONValue) -> T?) -> T?? {
            guard let value = json[key], !value.isNull else { return .some(nil) }
            return read(value).map { .some($0) } ?? nil
        }
        guard let pipVersion = optional("pipVersion", \.string), let supportedTags = optional("supportedTags", \.strings),
              let markers = optional("markerEnvironment", \.stringObject) else { return nil }
        self.init(executable: executable, implementation: implementation, version: version, pythonVersion: pythonVersion,
                  pythonTag: pythonTag, abiTag: abiTag, platformTag: platformTag, freeThreaded: freeThreaded,
                  pipVersion: pipVersion, supportedTags: supportedTags, markerEnvironment: markers)
    }

    /// The parts of the interpreter that change what a build produces; these go into the key.
    public var keyJSON: JSONValue {
        .object([
            "implementation": .string(implementation),
            "python": .string(pythonVersion),
            "abi": .string(abiTag),
            "platform": .string(platformTag),
            "free_threaded": .bool(freeThreaded),
        ])
    }

    /// The rank of the best tag of a wheel among the supported tags (lower is better), or nil
    /// when the interpreter cannot install it.
    public func rank(of wheel: WheelFileName) -> Int? {
        let tags = supportedTags ?? ["\(pythonTag)-\(abiTag)-\(platformTag)", "\(pythonTag)-none-\(platformTag)",
                                     "py3-none-\(platformTag)", "\(pythonTag)-none-any", "py3-none-any"]
        var best: Int?
        for tag in wheel.expandedTags {
            if let index = tags.firstIndex(of: tag), best.map({ index < $0 }) ?? true { best = index }
        }
        return best
    }

    /// Whether the interpreter's pip can install into another environment (`pip --python`, pip 22.3+).
    public var pipSupportsPythonOption: Bool {
        guard let pip = pipVersion else { return false }
        let parts = pip.split(separator: ".").prefix(2).map { Int($0.prefix { $0.isNumber }) ?? 0 }
        guard parts.count == 2 else { return (parts.first ?? 0) > 22 }
        return parts[0] > 22 || (parts[0] == 22 && parts[1] >= 3)
    }
}
