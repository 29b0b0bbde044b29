import Foundation
import TestSupport

/// Runs the built `wheelcache` binary in a scratch folder with its own cache.
struct CLI {
    /// The binary next to the test bundle in the build folder.
    static let binary: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("wheelcache").path
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue { return candidate }
            dir.deleteLastPathComponent()
        }
        return TestFixtures.repository + "/.build/debug/wheelcache"
    }()

    let scratch = TemporaryDirectory("cli")
    var cache: String { scratch.path + "/cache" }
    var wheels: String { scratch.path + "/wheels" }

    /// Runs `wheelcache ARGS` in the scratch folder with the scratch cache (unless the
    /// arguments choose their own) and a hermetic pip.
    func run(_ arguments: [String], env: [String: String] = [:], cacheFlag: Bool = true) throws -> ProcessResult {
        var args = arguments
        if cacheFlag && !args.contains("--no-cache-dir") && !args.contains("--cache-dir") && args.first == "build" {
            args += ["--cache-dir", cache]
        }
        return try TestSupport.run(CLI.binary, args, environment: TestFixtures.hermeticEnvironment(env), directory: scratch.path)
    }

    /// `wheelcache ARGS` as a process not started yet, for runs that must overlap or be
    /// killed; hermetic like `run`, its output discarded unless `output` names a file.
    func process(_ arguments: [String], env: [String: String] = [:], output: String? = nil) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = arguments
        process.environment = TestFixtures.hermeticEnvironment(env)
        if let output {
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: output)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        process.standardError = FileHandle.nullDevice
        return process
    }

    /// `build SOURCES -w wheels --json`, decoded.
    func build(_ sources: [String], _ extra: [String] = [], env: [String: String] = [:]) throws -> (ProcessResult, [[String: Any]]) {
        let result = try run(["build"] + sources + ["-w", wheels, "--json"] + extra, env: env)
        let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (result, (object?["results"] as? [[String: Any]]) ?? [])
    }

    /// The cache entries (folders holding entry.json).
    var entries: [String] { scratch.files("cache/wheels-v1").filter { $0.hasSuffix("/entry.json") } }

    /// Lines the fake backend's counter file holds (one per build_wheel call).
    func counted(_ file: String) -> [String] {
        (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    /// Offline access to the real build backends.
    static let offline = ["--no-index", "--find-links", TestFixtures.wheelhouse]
}
