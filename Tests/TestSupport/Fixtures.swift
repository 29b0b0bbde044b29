import Foundation

/// Paths and generated fixtures shared by the test targets. Fixture sdists, hostile archives
/// and wheels are generated once per test process by `scripts/make-fixtures` (our own script).
public enum TestFixtures {
    /// The repository root, found from this file's location.
    public static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The real Python interpreter (the `python3` on PATH may be a slow shim), or
    /// `$WHEELCACHE_TEST_PYTHON`.
    public static let python: String = {
        if let explicit = ProcessInfo.processInfo.environment["WHEELCACHE_TEST_PYTHON"] { return explicit }
        let result = try? run("/usr/bin/env", ["python3", "-c", "import os, sys; print(os.path.realpath(sys.executable))"])
        return result?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? "/usr/bin/python3"
    }()

    /// The folder of generated fixtures (`bad/`, `wheels/`, sdists, `fakepkg-variants/`).
    public static let generated: String = {
        let folder = generatedFolder
        // Removed when the test process exits.
        atexit { try? FileManager.default.removeItem(atPath: TestFixtures.generatedFolder) }
        let result = try? run(python, [repository + "/scripts/make-fixtures", folder])
        precondition(result?.status == 0, "scripts/make-fixtures failed: \(result?.stderr ?? "did not run")")
        return folder
    }()

    private static let generatedFolder = NSTemporaryDirectory() + "wheelcache-fixtures-\(getpid())"

    /// A generated sdist, e.g. `fakepkg-1.0.tar.gz` or `bad/dotdot.tar.gz`.
    public static func sdist(_ name: String) -> String { generated + "/" + name }

    /// A generated wheel for validator tests, e.g. `wheel("good")`.
    public static func wheel(_ folder: String) -> String {
        let dir = generated + "/wheels/" + folder
        let name = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.first { $0.hasSuffix(".whl") } ?? "missing.whl"
        return dir + "/" + name
    }

    /// A Python with moto and botocore (made by `scripts/remote-env`).
    public static let remotePython = repository + "/.build/remote-venv/bin/python"

    /// The offline wheelhouse of real build backends (filled by `scripts/bootstrap`).
    public static let wheelhouse = repository + "/Fixtures/wheelhouse"

    /// An environment for hermetic pip runs: no user config, no machine-wide find-links.
    public static func hermeticEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PIP_CONFIG_FILE"] = "/dev/null"
        env.removeValue(forKey: "PIP_FIND_LINKS")
        env.removeValue(forKey: "PIP_INDEX_URL")
        env.removeValue(forKey: "WHEELCACHE_CACHE_DIR")
        env.removeValue(forKey: "WHEELCACHE_NO_CACHE_DIR")
        // wheelcache's own installer, then pip, even where uv is on PATH (tests choose uv themselves).
        env["WHEELCACHE_INSTALLER"] = "auto"
        env["PATH"] = (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .filter { !FileManager.default.isExecutableFile(atPath: $0 + "/uv") }.joined(separator: ":")
        for (k, v) in extra { env[k] = v }
        return env
    }
}

/// A temporary folder removed when the value goes away.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "test") {
        var template = Array((NSTemporaryDirectory() + "wheelcache-\(label)-XXXXXX").utf8CString)
        path = String(cString: mkdtemp(&template)!)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Every file below the folder, relative, sorted.
    public func files(_ sub: String = "") -> [String] {
        let root = sub.isEmpty ? path : path + "/" + sub
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let item = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + item, isDirectory: &isDir), !isDir.boolValue { out.append(item) }
        }
        return out.sorted()
    }
}

/// The result of a finished process.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a process to completion, capturing its output through files (no pipe deadlocks).
public func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                directory: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let outPath = NSTemporaryDirectory() + "wheelcache-out-\(UUID().uuidString)"
    let errPath = outPath + ".err"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
    let out = FileHandle(forWritingAtPath: outPath)!
    let err = FileHandle(forWritingAtPath: errPath)!
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try? out.close()
    try? err.close()
    let stdout = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
    let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
    return ProcessResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
}

/// A git repository made at test time (no network): commits with a fixed identity.
public struct GitRepository: Sendable {
    public let path: String

    /// `git init` at `path`, on branch `main`; `objectFormat` may be "sha256".
    public init(_ path: String, objectFormat: String = "sha1") throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try git("init", "-q", "-b", "main", "--object-format=\(objectFormat)")
    }

    /// An existing repository (bare or not).
    public init(existing path: String) {
        self.path = path
    }

    /// A clone of `other` at `path` (all branches, tags and objects).
    public init(cloning other: GitRepository, to path: String) throws {
        self.path = path
        _ = try GitRepository.run(["clone", "-q", other.path, path], in: nil)
    }

    /// Copies a fixture project's files into `folder` of the work tree.
    public func add(project: String, at folder: String = "", name: String? = nil) throws {
        let target = folder.isEmpty ? path : path + "/" + folder
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let source = TestFixtures.repository + "/Fixtures/packages/" + project
        for item in try FileManager.default.contentsOfDirectory(atPath: source) {
            try FileManager.default.copyItem(atPath: source + "/" + item, toPath: target + "/" + item)
        }
        if let name {
            let pyproject = target + "/pyproject.toml"
            let text = try String(contentsOfFile: pyproject, encoding: .utf8)
                .replacingOccurrences(of: "name = \"\(project)\"", with: "name = \"\(name)\"")
            try text.write(toFile: pyproject, atomically: true, encoding: .utf8)
        }
    }

    /// Writes a file (relative path) into the work tree.
    public func write(_ relative: String, _ text: String) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// Stages everything and commits; returns the new commit id.
    @discardableResult
    public func commit(_ message: String) throws -> String {
        try git("add", "-A")
        try git("commit", "-q", "-m", message)
        return try head()
    }

    public func head() throws -> String {
        try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs git in the work tree and returns its standard output; a failure throws.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try GitRepository.run(arguments, in: path)
    }

    public var fileURL: String { "file://" + path }

    static func run(_ arguments: [String], in directory: String?) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["GIT_AUTHOR_NAME"] = "Fixture"
        env["GIT_AUTHOR_EMAIL"] = "fixture@example.invalid"
        env["GIT_COMMITTER_NAME"] = "Fixture"
        env["GIT_COMMITTER_EMAIL"] = "fixture@example.invalid"
        let result = try TestSupport.run("/usr/bin/env", ["git", "-c", "protocol.file.allow=always"] + arguments,
                                         environment: env, directory: directory)
        guard result.status == 0 else {
            throw GitFixtureError(message: "git \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        return result.stdout
    }
}

public struct GitFixtureError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension TemporaryDirectory {
    /// Every path below `root` (files and folders, relative, sorted), without following links.
    public static func listing(_ root: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let item = e.nextObject() as? String { out.append(item) }
        return out.sorted()
    }
}

/// Makes `NAME-1.0.tar.gz` in `folder` from a fixture project, with its `[project] name`
/// replaced by `name` (for names the fixtures do not have).
public func makeSdist(project: String, name: String, in folder: String) throws -> String {
    let script = """
        import io, os, sys, tarfile
        src, name, out = sys.argv[1], sys.argv[2], sys.argv[3]
        top = name + "-1.0"
        path = os.path.join(out, top + ".tar.gz")
        with tarfile.open(path, "w:gz") as tar:
            for folder, dirs, files in os.walk(src):
                dirs.sort()
                for f in sorted(files):
                    full = os.path.join(folder, f)
                    data = open(full, "rb").read()
                    if f == "pyproject.toml":
                        data = data.replace(b'name = "%s"' % os.path.basename(src).encode(), b'name = "%s"' % name.encode())
                    info = tarfile.TarInfo(top + "/" + os.path.relpath(full, src))
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
        print(path)
        """
    let result = try run(TestFixtures.python, ["-c", script, TestFixtures.repository + "/Fixtures/packages/" + project, name, folder])
    guard result.status == 0 else { throw GitFixtureError(message: "makeSdist: \(result.stderr)") }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// `scripts/index-server` on 127.0.0.1 over a folder of distributions; stopped (by its process
/// id) when the value goes away or `stop()` is called.
public final class IndexServer: @unchecked Sendable {
    public let root: String
    public let port: Int
    public let log: String
    private let process: Process

    /// `fault`: arguments of `scripts/index-server`'s hostile remote (`--fault-path`, `--flood`, …).
    public init(serving root: String, maxAge: Int = 0, htmlOnly: Bool = false, status: Int? = nil, hang: Bool = false,
                fault: [String] = []) throws {
        self.root = root
        let scratch = NSTemporaryDirectory() + "wheelcache-index-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        log = scratch + "/requests.log"
        let portFile = scratch + "/port"
        process = Process()
        process.executableURL = URL(fileURLWithPath: TestFixtures.python)
        process.arguments = [TestFixtures.repository + "/scripts/index-server", root, "--port-file", portFile,
                             "--log", log, "--max-age", "\(maxAge)"] + (htmlOnly ? ["--html-only"] : [])
            + (status.map { ["--status", "\($0)"] } ?? []) + (hang ? ["--hang"] : []) + fault
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let value = Int(text) {
                port = value
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw GitFixtureError(message: "scripts/index-server did not start")
    }

    public var url: String { "http://127.0.0.1:\(port)" }
    public var simple: String { url + "/simple/" }

    /// The requests served so far: (path, status).
    public var requests: [(path: String, status: Int)] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let path = object["path"] as? String, let status = object["status"] as? Int else { return nil }
            return (path, status)
        }
    }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// A remote-tier server started by `scripts/serve-webdav` (nginx) or `scripts/serve-s3`
/// (moto) on 127.0.0.1, stopped by its process id.
public final class RemoteServer: @unchecked Sendable {
    public let port: Int
    public let pid: Int32
    /// The WebDAV root (files as uploaded), for the nginx server.
    public let root: String?

    /// nginx with WebDAV serving `root`; with `token`, requests need `Authorization: Bearer TOKEN`.
    public static func webdav(root: String, token: String? = nil, basic: String? = nil) throws -> RemoteServer {
        try RemoteServer(script: "serve-webdav", arguments: [root] + (token.map { ["--token", $0] } ?? []) + (basic.map { ["--basic", $0] } ?? []),
                         root: root)
    }

    /// moto's S3 server with `bucket` created.
    public static func s3(bucket: String) throws -> RemoteServer {
        try RemoteServer(script: "serve-s3", arguments: ["--bucket", bucket], root: nil)
    }

    private init(script: String, arguments: [String], root: String?) throws {
        let scratch = NSTemporaryDirectory() + "wheelcache-remote-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let result = try run(TestFixtures.repository + "/scripts/" + script,
                             arguments + ["--port-file", scratch + "/port", "--pid-file", scratch + "/pid"],
                             directory: TestFixtures.repository)
        guard result.status == 0,
              let port = Int((try? String(contentsOfFile: scratch + "/port", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""),
              let pid = Int32((try? String(contentsOfFile: scratch + "/pid", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") else {
            throw GitFixtureError(message: "scripts/\(script) failed: \(result.stderr)")
        }
        self.port = port
        self.pid = pid
        self.root = root
    }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// TERM, then KILL if it lingers (a child of a test process may have TERM blocked).
    public func stop() {
        guard running else { return }
        kill(pid, SIGTERM)
        for _ in 0..<40 where running { Thread.sleep(forTimeInterval: 0.05) }
        if running { kill(pid, SIGKILL) }
    }

    /// Alive and not a zombie (nobody may reap it: its parent script has exited).
    private var running: Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return true }
        return !stat[close...].hasPrefix(") Z")
    }

    deinit { stop() }
}
