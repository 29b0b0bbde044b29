import Foundation
import WheelModel

/// Options passed through to the installer of build requirements, as pip takes them.
public struct IndexOptions: Equatable, Sendable {
    public var indexURL: String?
    public var extraIndexURLs: [String]
    public var findLinks: [String]
    public var noIndex: Bool

    public init(indexURL: String? = nil, extraIndexURLs: [String] = [], findLinks: [String] = [], noIndex: Bool = false) {
        self.indexURL = indexURL
        self.extraIndexURLs = extraIndexURLs
        self.findLinks = findLinks
        self.noIndex = noIndex
    }

    var pipArguments: [String] {
        var args: [String] = []
        if let indexURL { args += ["--index-url", indexURL] }
        for url in extraIndexURLs { args += ["--extra-index-url", url] }
        for link in findLinks { args += ["--find-links", link] }
        if noIndex { args.append("--no-index") }
        return args
    }
}

/// What a successful build produced.
public struct BuildOutcome: Sendable {
    /// The wheel, inside the build's work folder.
    public var wheel: String
    public var backend: String
    /// `name==version` of the build requirements as installed.
    public var requirements: [String]
    public var seconds: Double
}

/// A PEP 517 frontend: reads `[build-system]`, prepares the build environment (an isolated
/// venv with the requirements installed by the interpreter's pip, or the interpreter as is),
/// and calls `get_requires_for_build_wheel` and `build_wheel` through the hook runner.
public struct WheelBuilder: Sendable {
    public var interpreter: Interpreter
    public var options: BuildOptions
    public var index: IndexOptions
    public var environment: [String: String]

    public init(interpreter: Interpreter, options: BuildOptions, index: IndexOptions, environment: [String: String]) {
        self.interpreter = interpreter
        self.options = options
        self.index = index
        self.environment = environment
    }

    /// Reads the project's build system (bad input if `pyproject.toml` is malformed).
    public static func buildSystem(of tree: String) throws(BuildError) -> BuildSystem {
        let path = tree + "/pyproject.toml"
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        if text == nil && access(tree + "/setup.py", F_OK) != 0 {
            throw .badProject(path: tree, reason: "no pyproject.toml or setup.py here, so this is not a Python project")
        }
        do { return try BuildSystem.parse(pyproject: text) } catch {
            throw .badProject(path: path, reason: error.description)
        }
    }

    /// Builds the project in `tree`, using `work` (an empty folder) for the environment, the
    /// wheel and the hook files, with all output appended to `log`.
    public func build(tree: String, work: String, log: String) throws(BuildError) -> BuildOutcome {
        let started = Date()
        let system = try WheelBuilder.buildSystem(of: tree)
        do { try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true) } catch {
            throw .io(path: work, reason: "cannot create the build folder")
        }
        var env = BuildEnvironmentVariables.sanitized(environment)
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        env["PIP_NO_INPUT"] = "1"
        var python = interpreter.executable
        if options.isolation {
            // Isolation hides the user's site-packages and PYTHONPATH from the backend, as pip does.
            env["PYTHONNOUSERSITE"] = "1"
            env.removeValue(forKey: "PYTHONPATH")
            python = try createEnvironment(at: work + "/env", env: env, log: log)
            env["VIRTUAL_ENV"] = work + "/env"
            env["PATH"] = work + "/env/bin:" + (env["PATH"] ?? "/usr/bin:/bin")
            try install(system.requires, into: python, env: env, log: log)
        }
        let runner = work + "/hook_runner.py"
        guard FileManager.default.createFile(atPath: runner, contents: Data(PythonScripts.hookRunner.utf8)) else {
            throw .io(path: runner, reason: "cannot write the hook runner")
        }
        let settings = CanonicalJSON.object(options.configSettings.mapValues { values in
            values.count == 1 ? .string(values[0]) : .array(values.map(CanonicalJSON.string))
        })
        let requirementNames = system.requires.map(WheelBuilder.requirementName)

        let extra = try callHook("get_requires_for_build_wheel", step: .getRequires,
                                 kwargs: ["config_settings": settings], system: system, python: python, runner: runner,
                                 tree: tree, work: work, env: env, log: log, report: [])
        var extraRequirements: [String] = []
        if case .array(let items)? = extra.value { extraRequirements = items.compactMap { if case .string(let s) = $0 { s } else { nil } } }
        if options.isolation && !extraRequirements.isEmpty {
            // setuptools may ask for `wheel` here; it must be installed before build_wheel.
            try install(extraRequirements, into: python, env: env, log: log)
        }

        let output = work + "/dist"
        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            throw .io(path: output, reason: "cannot create the output folder")
        }
        let built = try callHook("build_wheel", step: .buildWheel,
                                 kwargs: ["wheel_directory": .string(output), "config_settings": settings],
                                 system: system, python: python, runner: runner, tree: tree, work: work, env: env,
                                 log: log, report: requirementNames + extraRequirements.map(WheelBuilder.requirementName))
        guard case .string(let name)? = built.value, !name.contains("/"), name.hasSuffix(".whl"),
              FileManager.default.fileExists(atPath: output + "/" + name) else {
            throw failure(.buildWheel, 1, "the backend did not write the wheel it named (\(built.value.map { "\($0)" } ?? "nothing"))", log)
        }
        return BuildOutcome(wheel: output + "/" + name, backend: system.backend, requirements: built.installed,
                            seconds: Date().timeIntervalSince(started))
    }

    /// The project name at the start of a PEP 508 requirement string.
    static func requirementName(_ requirement: String) -> String {
        String(requirement.trimmingCharacters(in: .whitespaces).prefix {
            $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "."
        })
    }

    private func failure(_ step: BuildFailure.Step, _ status: Int32, _ message: String, _ log: String) -> BuildError {
        .failed(BuildFailure(step: step, status: status, message: message, log: log, tail: ProcessRunner.tail(log)))
    }

    private func createEnvironment(at path: String, env: [String: String], log: String) throws(BuildError) -> String {
        // Without pip the venv takes a tenth of a second; the interpreter's own pip installs into it.
        let withPip = !interpreter.pipSupportsPythonOption
        let args = ["-m", "venv"] + (withPip ? [] : ["--without-pip"]) + [path]
        let status = try ProcessRunner.run(interpreter.executable, args, environment: env, log: log)
        guard status == 0 else { throw failure(.createEnvironment, status, "python -m venv exited with status \(status)", log) }
        return path + "/bin/python"
    }

    private func install(_ requirements: [String], into python: String, env: [String: String], log: String) throws(BuildError) {
        guard !requirements.isEmpty else { return }
        let args: [String]
        if interpreter.pipSupportsPythonOption {
            args = [interpreter.executable, "-m", "pip", "--python", python, "install"] + index.pipArguments + ["--"] + requirements
        } else {
            args = [python, "-m", "pip", "install"] + index.pipArguments + ["--"] + requirements
        }
        let status = try ProcessRunner.run(args[0], Array(args.dropFirst()), environment: env, log: log)
        guard status == 0 else {
            throw failure(.installRequirements, status,
                          "pip could not install \(requirements.joined(separator: ", ")) (exit status \(status))", log)
        }
    }

    private struct HookResult {
        var value: CanonicalJSON?
        var installed: [String]
    }

    private func callHook(_ hook: String, step: BuildFailure.Step, kwargs: [String: CanonicalJSON], system: BuildSystem,
                          python: String, runner: String, tree: String, work: String, env: [String: String],
                          log: String, report: [String]) throws(BuildError) -> HookResult {
        let control = work + "/hook-" + hook
        try? FileManager.default.createDirectory(atPath: control, withIntermediateDirectories: true)
        let request = CanonicalJSON.object([
            "backend": .string(system.backend),
            "backend_path": .array(system.backendPath.map(CanonicalJSON.string)),
            "kwargs": .object(kwargs),
            "report": .array(report.filter { !$0.isEmpty }.map(CanonicalJSON.string)),
        ])
        guard FileManager.default.createFile(atPath: control + "/input.json", contents: Data(request.text.utf8)) else {
            throw .io(path: control, reason: "cannot write the hook input")
        }
        let status = try ProcessRunner.run(python, [runner, hook, control], environment: env, directory: tree, log: log)
        guard let data = FileManager.default.contents(atPath: control + "/output.json"),
              let output = try? JSONDecoder().decode([String: CanonicalJSON].self, from: data) else {
            throw failure(step, status, "the backend process exited with status \(status) before reporting a result", log)
        }
        if case .string(let message)? = output["backend_error"] {
            throw failure(.loadBackend, status, message, log)
        }
        if case .string(let message)? = output["error"] {
            throw failure(step, status == 0 ? 1 : status, message, log)
        }
        var installed: [String] = []
        if case .array(let items)? = output["installed"] {
            installed = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        return HookResult(value: output["return"], installed: installed)
    }
}
