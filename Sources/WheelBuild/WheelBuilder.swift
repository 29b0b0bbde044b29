import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelFetch
import WheelModel
import WheelSystem

/// A PEP 517 frontend: reads `[build-system]`, prepares the build environment and calls
/// `get_requires_for_build_wheel` and `build_wheel` through the hook runner, in one Python
/// process when the environment already has what the first hook asks for.
///
/// Isolated builds use a shared environment from `environments` (the cache's bucket), made
/// once per interpreter and requirement set; without one (`--no-cache-dir`), a private venv
/// in the work folder, made the same way but without compiling bytecode ahead (it serves one
/// build). `--no-build-isolation` builds with the interpreter as it is.
public struct WheelBuilder: Sendable {
    public var interpreter: Interpreter
    public var options: BuildOptions
    public var index: IndexOptions
    public var environment: [String: String]
    public var environments: BuildEnvironments?
    /// The HTTP cache the resolver reads indexes through; nil: only `--no-index` build
    /// environments are installed natively.
    public var http: HTTPCache?

    public init(interpreter: Interpreter, options: BuildOptions, index: IndexOptions, environment: [String: String],
                environments: BuildEnvironments? = nil, http: HTTPCache? = nil) {
        self.interpreter = interpreter
        self.options = options
        self.index = index
        self.environment = environment
        self.environments = environments
        self.http = http
    }

    /// Reads the project's build system (bad input if `pyproject.toml` is malformed).
    public static func buildSystem(of tree: String) throws(BuildError) -> BuildSystem {
        let path = tree + "/pyproject.toml"
        let text = FileManager.default.contents(atPath: path).map { [UInt8]($0) }
        return try buildSystem(pyproject: text, hasSetupPy: access(tree + "/setup.py", F_OK) == 0, tree: tree, path: path)
    }

    /// The build system from `pyproject.toml`'s bytes (nil: no such file); `tree` and `path`
    /// name the project and the file in errors.
    public static func buildSystem(pyproject: [UInt8]?, hasSetupPy: Bool, tree: String,
                                   path: String) throws(BuildError) -> BuildSystem {
        if pyproject == nil && !hasSetupPy {
            throw .badProject(path: tree, reason: "no pyproject.toml or setup.py here, so this is not a Python project")
        }
        do { return try BuildSystem.parse(pyproject: pyproject.map { String(decoding: $0, as: UTF8.self) }) } catch {
            throw .badProject(path: path, reason: error.description)
        }
    }

    /// Builds the project in the folder `tree`; see `build(source:work:log:)`.
    public func build(tree: String, work: String, log: String) throws(BuildError) -> BuildOutcome {
        try build(source: .ready(tree), work: work, log: log)
    }

    /// Builds the project in `source`, using `work` (an empty folder) for the wheel, the hook
    /// files and any private environment, with all output appended to `log`. A source still
    /// being written whose build system is known already is waited for only when the backend
    /// has started and imported (an sdist unpacks meanwhile); if writing it fails, this throws
    /// `.io` and the writer holds the error that counts.
    public func build(source: SourceTree, work: String, log: String) throws(BuildError) -> BuildOutcome {
        let started = Date()
        let system: BuildSystem
        if let known = source.system {
            system = known
        } else {
            system = try WheelBuilder.buildSystem(of: try source.path(work))
        }
        let output = work + "/dist"
        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            throw .io(path: output, reason: "cannot create the build folder")
        }
        var env = BuildEnvironmentVariables.sanitized(environment)
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        env["PIP_NO_INPUT"] = "1"
        if options.isolation {
            // Isolation hides the user's site-packages and PYTHONPATH from the backend, as pip does.
            env["PYTHONNOUSERSITE"] = "1"
            env.removeValue(forKey: "PYTHONPATH")
        }
        let creator = EnvironmentCreator(interpreter: interpreter, index: index, environment: env,
                                         fetching: http.map { ($0, work + "/downloads") })
        var hooks = HookEnvironment(python: interpreter.executable, env: BuildEnvironmentVariables.forBackend(env), base: env)
        let privateInstaller = try prepareEnvironment(system.requires, creator: creator, hooks: &hooks, work: work, log: log)
        let runner = work + "/hook_runner.py"
        do { try FileWrite.scratch(PythonScripts.hookRunner, to: runner) } catch {
            throw .cannotWrite(runner, "the hook runner", error)
        }
        let settings = JSONValue.object(options.configSettings.mapValues { values in
            values.count == 1 ? .string(values[0]) : .array(values.map(JSONValue.string))
        })
        let getRequires = Hook(name: "get_requires_for_build_wheel", kwargs: ["config_settings": settings])
        let buildWheel = Hook(name: "build_wheel", kwargs: ["wheel_directory": .string(output), "config_settings": settings])
        let report = system.requires.map(WheelBuilder.requirementName)
        var result = try callHooks([getRequires, buildWheel], checkRequires: options.isolation, system: system,
                                   python: hooks.python, runner: runner, source: source, work: work, env: hooks.env,
                                   log: log, report: report)
        if result.stopped {
            // What get_requires_for_build_wheel asked for is missing (setuptools may ask for `wheel`):
            // an environment with it too, then build_wheel alone.
            try addRequirements(system.requires, result.extraRequirements, creator: creator, privateInstaller: privateInstaller,
                                hooks: &hooks, work: work, log: log)
            result = try callHooks([buildWheel], checkRequires: false, system: system, python: hooks.python, runner: runner,
                                   source: source, work: work, env: hooks.env, log: log,
                                   report: report + result.extraRequirements.map(WheelBuilder.requirementName))
        }
        guard case .string(let name)? = result.values["build_wheel"], !name.contains("/"), name.hasSuffix(".whl"),
              FileManager.default.fileExists(atPath: output + "/" + name) else {
            let named = result.values["build_wheel"].map { "\($0)" } ?? "nothing"
            throw .step(.buildWheel, 1, "the backend did not write the wheel it named (\(named))", log: log)
        }
        return BuildOutcome(wheel: output + "/" + name, backend: system.backend, requirements: result.installed,
                            seconds: Date().timeIntervalSince(started))
    }

    /// The interpreter the hooks run with, and their environment variables.
    struct HookEnvironment {
        var python: String
        var env: [String: String]
        /// The variables installers run with (the backend's lack credentials).
        let base: [String: String]

        mutating func use(_ venv: String) {
            python = venv + "/bin/python"
            env["VIRTUAL_ENV"] = venv
            env["PATH"] = venv + "/bin:" + (base["PATH"] ?? "/usr/bin:/bin")
        }
    }

    /// With isolation, the environment for `requires`: a shared one from `environments`, else
    /// a private venv in `work`; returns the private one's installer ("" otherwise).
    private func prepareEnvironment(_ requires: [String], creator: EnvironmentCreator, hooks: inout HookEnvironment,
                                    work: String, log: String) throws(BuildError) -> String {
        guard options.isolation else { return "" }
        if let environments {
            hooks.use(try environments.environment(for: requires, creator: creator, env: hooks.base, log: log))
            return ""
        }
        let venv = work + "/env"
        let installer = try creator.create(at: venv, requirements: requires, shared: false, env: hooks.base, log: log).installer
        hooks.use(venv)
        return installer
    }

    /// Adds what `get_requires_for_build_wheel` asked for beyond `requires`.
    private func addRequirements(_ requires: [String], _ extra: [String], creator: EnvironmentCreator,
                                 privateInstaller: String, hooks: inout HookEnvironment, work: String,
                                 log: String) throws(BuildError) {
        if let environments {
            hooks.use(try environments.environment(for: requires + extra, creator: creator, env: hooks.base, log: log))
        } else if privateInstaller == "wheelcache" {
            // Its resolver takes the whole set at once: a second environment with those too.
            let venv = work + "/env-extra"
            _ = try creator.create(at: venv, requirements: requires + extra, shared: false, env: hooks.base, log: log)
            hooks.use(venv)
        } else {
            try creator.install(extra, into: hooks.python, compile: false, env: hooks.base, log: log)
        }
    }

    /// The project name at the start of a PEP 508 requirement string.
    static func requirementName(_ requirement: String) -> String {
        String(requirement.trimmingSpaces().prefix {
            $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "."
        })
    }

    private struct Hook {
        var name: String
        var kwargs: [String: JSONValue]
    }

    private struct HookResults {
        /// Each hook's return value, by hook name.
        var values: [String: JSONValue]
        var installed: [String]
        /// The runner stopped after `get_requires_for_build_wheel`: `extraRequirements` are missing.
        var stopped: Bool

        var extraRequirements: [String] {
            guard case .array(let items)? = values["get_requires_for_build_wheel"] else { return [] }
            return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
    }

    private func callHooks(_ hooks: [Hook], checkRequires: Bool, system: BuildSystem, python: String, runner: String,
                           source: SourceTree, work: String, env: [String: String], log: String,
                           report: [String]) throws(BuildError) -> HookResults {
        let control = work + "/hooks-" + hooks.map(\.name).joined(separator: "+")
        try? FileManager.default.createDirectory(atPath: control, withIntermediateDirectories: true)
        let request = JSONValue.object([
            "backend": .string(system.backend),
            "backend_path": .array(system.backendPath.map(JSONValue.string)),
            "hooks": .array(hooks.map { .object(["hook": .string($0.name), "kwargs": .object($0.kwargs)]) }),
            "check_requires": .bool(checkRequires),
            "report": .array(report.filter { !$0.isEmpty }.map(JSONValue.string)),
        ])
        do { try FileWrite.scratch(request.text, to: control + "/input.json") } catch {
            throw .cannotWrite(control, "the hook input", error)
        }
        // The runner imports the backend, then reads the tree's path on its standard input: an
        // sdist still unpacking is waited for only now, while Python starts and imports.
        let status = try ProcessRunner.run(python, [runner, control], environment: env, directory: work, log: log,
                                           input: { source.ready.map { Array($0.utf8) } })
        _ = try source.path(work)
        let step: BuildFailure.Step = hooks.count == 1 ? .buildWheel : .getRequires
        guard let data = FileManager.default.contents(atPath: control + "/output.json"),
              let output = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw .step(step, status, "the backend process exited with status \(status) before reporting a result", log: log)
        }
        if case .string(let message)? = output["backend_error"] {
            throw .step(.loadBackend, status, message, log: log)
        }
        if case .string(let message)? = output["error"] {
            let failed: BuildFailure.Step = output["failed_hook"] == .string("get_requires_for_build_wheel") ? .getRequires : .buildWheel
            throw .step(failed, status == 0 ? 1 : status, message, log: log)
        }
        var installed: [String] = []
        if case .array(let items)? = output["installed"] {
            installed = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        var values: [String: JSONValue] = [:]
        for hook in hooks { values[hook.name] = output[hook.name] }
        return HookResults(values: values, installed: installed, stopped: output["stopped"] == .bool(true))
    }
}
