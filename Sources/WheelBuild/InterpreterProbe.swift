import FoundationEssentials
import WheelModel
#if canImport(Glibc)
import Glibc
#endif
import WheelSystem

/// Learns an interpreter's facts by running it once, and remembers them in a folder keyed by
/// the interpreter's path and file identity, so a cache hit starts no Python at all.
public struct InterpreterProbe: Sendable {
    /// Where probe results are kept (the cache's interpreter bucket), or nil for no memory.
    public let memory: String?
    public let environment: [String: String]

    public init(memory: String?, environment: [String: String]) {
        self.memory = memory
        self.environment = environment
    }

    /// Finds `requested` (a path, or a command name looked up on PATH; default `python3`)
    /// and returns its facts.
    ///
    /// The interpreter's supported wheel tags (about a thousand) are kept in a file of their
    /// own and read only with `withTags`, so the hit path does not parse them.
    public func interpreter(_ requested: String?, withTags: Bool = false) throws(BuildError) -> Interpreter {
        let name = requested ?? environment["WHEELCACHE_PYTHON"] ?? "python3"
        guard let path = locate(name) else {
            throw .notAPython(path: name, reason: requested == nil ? "not found on PATH" : "no such executable")
        }
        let identity = identity(of: path)
        // The record's file name only needs to be stable and safe in a folder.
        let recordPath = memory.map { $0 + "/" + CacheKey.plainDigest(path) + ".json" }
        if let recordPath, let data = FileManager.default.contents(atPath: recordPath),
           let record = JSONValue.parse(data).flatMap(ProbeRecord.init(json:)),
           record.schema == ProbeRecord.currentSchema, record.identity == identity, record.executableIdentity == self.identity(of: record.interpreter.executable) {
            guard withTags else { return record.interpreter }
            if let data = FileManager.default.contents(atPath: recordPath.dropLast(5) + ".tags.json"),
               let tags = try? JSONDecoder().decode([String].self, from: data) {
                var interpreter = record.interpreter
                interpreter.supportedTags = tags
                return interpreter
            }
        }
        let interpreter = try probe(path)
        if let memory, let recordPath {
            var small = interpreter
            small.supportedTags = nil
            let record = ProbeRecord(schema: ProbeRecord.currentSchema, identity: identity, executableIdentity: self.identity(of: interpreter.executable),
                                     interpreter: small)
            try? FileManager.default.createDirectory(atPath: memory, withIntermediateDirectories: true)
            // Tags first: a record without its tags file is probed again when tags are needed.
            if let tags = interpreter.supportedTags, let data = try? JSONEncoder().encode(tags) {
                write(data, to: recordPath.dropLast(5) + ".tags.json")
            }
            if let data = try? JSONEncoder().encode(record) { write(data, to: recordPath) }
        }
        guard withTags else {
            var small = interpreter
            small.supportedTags = nil
            return small
        }
        return interpreter
    }

    private func write(_ data: Data, to path: String) {
        let temporary = path + ".\(getpid()).tmp"
        if FileManager.default.createFile(atPath: temporary, contents: data) { rename(temporary, path) }
    }

    private struct ProbeRecord: Codable {
        /// Bumped when the probe learns more; older records are probed again.
        static let currentSchema = 2
        var schema: Int
        var identity: String
        var executableIdentity: String
        var interpreter: Interpreter

        init(schema: Int, identity: String, executableIdentity: String, interpreter: Interpreter) {
            self.schema = schema
            self.identity = identity
            self.executableIdentity = executableIdentity
            self.interpreter = interpreter
        }

        /// Read without `JSONDecoder`: this runs on every hit.
        init?(json: JSONValue) {
            guard let schema = json["schema"]?.int, let identity = json["identity"]?.string,
                  let executableIdentity = json["executableIdentity"]?.string,
                  let interpreter = json["interpreter"].flatMap(Interpreter.init(json:)) else { return nil }
            self.init(schema: schema, identity: identity, executableIdentity: executableIdentity, interpreter: interpreter)
        }
    }

    func locate(_ name: String) -> String? {
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : FileManager.default.currentDirectoryPath + "/" + name
            return access(path, X_OK) == 0 && !isDirectory(path) ? path : nil
        }
        for dir in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 && !isDirectory(candidate) { return candidate }
        }
        return nil
    }

    private func isDirectory(_ path: String) -> Bool {
        var isDir = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir
    }

    /// The file identity of an interpreter: device, inode, size and modification time of the
    /// file the path resolves to. A script (such as a pyenv shim) chooses its Python from
    /// the environment and version files, so those join its identity.
    func identity(of path: String) -> String {
        let real = PathText.resolvingSymlinks(path)
        var parts = [real, statSignature(real)]
        if isScript(real) {
            parts.append("PYENV_VERSION=\(environment["PYENV_VERSION"] ?? "")")
            let pyenvRoot = environment["PYENV_ROOT"] ?? (environment["HOME"] ?? "") + "/.pyenv"
            parts.append(statSignature(pyenvRoot + "/version"))
            var dir = FileManager.default.currentDirectoryPath
            while true {
                let file = dir + "/.python-version"
                if access(file, F_OK) == 0 { parts.append(file + statSignature(file)); break }
                if dir == "/" || dir.isEmpty { break }
                dir = PathText.parent(dir)
            }
        }
        return parts.joined(separator: "|")
    }

    private func statSignature(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "missing" }
        return "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    private func isScript(_ path: String) -> Bool {
        guard let handle = FileReader(path: path) else { return false }
        return handle.read(at: 0, count: 2) == Array("#!".utf8)
    }

    private func probe(_ path: String) throws(BuildError) -> Interpreter {
        let work = PathText.temporaryDirectory() + "wheelcache-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do { try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true) } catch {
            throw .io(path: work, reason: "cannot create a temporary folder")
        }
        defer { try? FileManager.default.removeItem(atPath: work) }
        let script = work + "/probe.py"
        let output = work + "/probe.json"
        _ = FileManager.default.createFile(atPath: script, contents: Data(PythonScripts.probe.utf8))
        var env = BuildEnvironmentVariables.sanitized(environment)
        env["PYTHONNOUSERSITE"] = "1"
        let status: Int32
        do { status = try ProcessRunner.run(path, ["-I", script, output], environment: env, log: work + "/probe.log") } catch {
            // An executable file the system cannot start (a text file without `#!`) is not a Python.
            throw .notAPython(path: path, reason: "it cannot be run as a program")
        }
        guard status == 0, let data = FileManager.default.contents(atPath: output),
              let interpreter = try? JSONDecoder().decode(Interpreter.self, from: data) else {
            let detail = ProcessRunner.tail(work + "/probe.log", count: 1).first ?? "exit status \(status)"
            throw .notAPython(path: path, reason: status == 0 ? "it printed no interpreter facts" : detail)
        }
        return interpreter
    }
}
