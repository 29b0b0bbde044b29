import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelFetch
import WheelModel
import WheelSystem

/// Build environments kept in the cache's `envs-v1` bucket and shared by later builds.
///
/// An environment is keyed by the interpreter (its path and version: a venv points at its
/// base interpreter) and, when wheelcache's own resolver decides (local folders and indexes
/// alike), the exact set of wheels it resolves to, by file name and SHA-256: an index or a
/// wheel folder that gains a newer release gets a new environment, and requirement lists
/// that resolve alike share one. Where the resolver leaves the choice to uv or pip, which
/// resolve as they install, the key is the requirements as asked for and the index options;
/// `env.json` records the set they resolved to. Layout, per key:
///
///     envs-v1/KEY/lock       flock: held exclusively while the environment is created
///     envs-v1/KEY/venv/      the virtual environment (created in place: scripts in a venv
///                            carry its absolute path, so it cannot be built elsewhere and moved)
///     envs-v1/KEY/env.json   written last, atomically: the environment is complete only then,
///                            and its modification time is when a build last used it
///
/// Nothing is installed into an environment once `env.json` exists, so builds share it
/// read-only, in parallel. Removal happens only under the cache's exclusive lock (prune,
/// purge), which no build holds meanwhile.
public struct BuildEnvironments: Sendable {
    public static let schema = 1
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// The key of the environment for `requirements`, to be made as `plan` says.
    static func key(interpreter: Interpreter, requirements: [String], index: IndexOptions,
                    plan: EnvironmentCreator.Plan) -> String {
        var inputs: [String: JSONValue] = [
            "schema": .int(schema),
            "interpreter": .string(interpreter.executable),
            "version": .string(interpreter.version),
        ]
        switch plan {
        case .wheels(_, let identities):
            inputs["wheels"] = .array(identities.sorted().map(JSONValue.string))
        case .installer:
            let normalized = Set(requirements.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }).sorted()
            inputs["requirements"] = .array(normalized.map(JSONValue.string))
            inputs["index"] = .array(index.pipArguments.map(JSONValue.string))
        }
        return CacheKey.plainDigest(JSONValue.object(inputs).text)
    }

    /// The folder of a complete environment for `requirements`, creating it first when there
    /// is none. Marks it used. Waits while another process creates the same one.
    func environment(for requirements: [String], creator: EnvironmentCreator, env: [String: String],
                     log: String) throws(BuildError) -> String {
        let plan = creator.plan(for: requirements)
        let key = BuildEnvironments.key(interpreter: creator.interpreter, requirements: requirements, index: creator.index,
                                        plan: plan)
        let folder = root + "/" + key
        let venv = folder + "/venv"
        let manifest = folder + "/env.json"
        if markUsed(manifest) { return venv }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .io(path: folder, reason: "cannot create the build environment's folder")
        }
        let lock: FileLock
        do { lock = try FileLock(path: folder + "/lock", mode: .exclusive) } catch {
            throw .io(path: folder, reason: "\(error)")
        }
        defer { lock.unlock() }
        if markUsed(manifest) { return venv }  // made by another process while this one waited
        // Left by a process that died while creating it.
        FileTree.remove(venv)
        let started = Date()
        do throws(BuildError) {
            let (installed, installer) = try creator.create(at: venv, requirements: requirements, plan: plan, env: env,
                                                            log: log)
            FileTree.restrictModes(venv, mask: ProcessUmask.value)
            let record = JSONValue.object([
                "schema": .int(BuildEnvironments.schema),
                "key": .string(key),
                "interpreter": .string(creator.interpreter.executable),
                "python": .string(creator.interpreter.version),
                "requirements": .array(requirements.map(JSONValue.string)),
                "index": .array(creator.index.pipArguments.map { URLRedaction.redact($0) }.map(JSONValue.string)),
                "installer": .string(installer),
                "installed": .array(installed.map(JSONValue.string)),
                "created": .string(started.formatted(.iso8601)),
                "milliseconds": .int(Int(Date().timeIntervalSince(started) * 1000)),
            ])
            let partial = manifest + ".new"
            guard FileManager.default.createFile(atPath: partial, contents: Data(record.text.utf8)),
                  rename(partial, manifest) == 0 else {
                throw .io(path: manifest, reason: "cannot record the build environment")
            }
        } catch {
            FileTree.remove(venv)
            throw error
        }
        return venv
    }

    /// Touches a complete environment's manifest (its last use, for prune); false when the
    /// environment is not complete.
    private func markUsed(_ manifest: String) -> Bool {
        utimensat(AT_FDCWD, manifest, nil, 0) == 0
    }
}

/// Makes virtual environments and installs build requirements into them: by wheelcache
/// itself when its resolver can decide (`WheelInstaller`: local wheel folders, and the
/// indexes when it is given the HTTP cache); otherwise with uv when it is on PATH, else with a
/// venv without pip into which the interpreter's own pip installs (`pip --python`), else a
/// venv with pip. `WHEELCACHE_INSTALLER=pip` or `=uv` picks that installer alone.
struct EnvironmentCreator: Sendable {
    enum Installer: Sendable {
        case uv(String)
        case pip

        var name: String {
            switch self {
            case .uv: return "uv"
            case .pip: return "pip"
            }
        }
    }

    let interpreter: Interpreter
    let index: IndexOptions
    let installer: Installer
    /// Whether wheelcache may install the requirements itself.
    let native: Bool
    /// Where its resolver finds wheels.
    let resolver: WheelInstaller

    /// `fetching`: the HTTP cache to read indexes through and a folder for the wheels
    /// downloaded; without it, only `--no-index` builds are installed natively.
    init(interpreter: Interpreter, index: IndexOptions, environment: [String: String],
         fetching: (http: HTTPCache, downloads: String)? = nil) {
        self.interpreter = interpreter
        self.index = index
        self.installer = EnvironmentCreator.installer(environment)
        let choice = environment["WHEELCACHE_INSTALLER"] ?? "auto"
        // Remote find-links pages are left to pip and uv.
        self.native = choice != "pip" && choice != "uv" && (index.noIndex || fetching != nil)
            && !index.findLinks.contains { $0.contains("://") }
        self.resolver = WheelInstaller(interpreter: interpreter, folders: index.findLinks, indexes: index.indexes,
                                       fetching: fetching.map { WheelInstaller.Fetching(http: $0.http, downloads: $0.downloads) },
                                       constraints: index.constraints, constraintHashes: index.constraintHashes)
    }

    static func installer(_ environment: [String: String]) -> Installer {
        let choice = environment["WHEELCACHE_INSTALLER"] ?? "auto"
        guard choice != "pip" else { return .pip }
        for folder in (environment["PATH"] ?? "").split(separator: ":") where !folder.isEmpty {
            let candidate = String(folder) + "/uv"
            if access(candidate, X_OK) == 0 { return .uv(candidate) }
        }
        return .pip
    }

    /// How an environment gets its requirements: wheels wheelcache's resolver picked (with
    /// each one's `FILENAME SHA256`), or an installer that resolves as it installs.
    enum Plan {
        case wheels([WheelInstaller.Picked], identities: [String])
        case installer
    }

    /// Resolves `requirements` with wheelcache's resolver when it may and can decide.
    func plan(for requirements: [String]) -> Plan {
        guard native, let wheels = resolver.resolve(requirements) else { return .installer }
        return .wheels(wheels, identities: wheels.map { $0.filename + " " + $0.sha256 })
    }

    /// Creates the venv at `path` with `requirements` installed as `plan` says (resolved here
    /// when not given); returns what is installed in it (`name==version`, sorted) and the
    /// installer that did it. `shared`: the environment serves many builds, so its bytecode
    /// is compiled now (a private one, used once, lets Python compile just what it imports).
    func create(at path: String, requirements: [String], plan: Plan? = nil, shared: Bool = true,
                env: [String: String], log: String) throws(BuildError) -> (installed: [String], installer: String) {
        let python = path + "/bin/python"
        if case .wheels(let wheels, _) = plan ?? self.plan(for: requirements) {
            try makeVenv(at: path, env: env, log: log, withPip: false)
            try resolver.install(wheels, into: path, compile: shared, env: env, log: log)
            return (installed(in: path), "wheelcache")
        }
        if !index.constraintHashes.isEmpty && !requirements.isEmpty {
            throw unmetConstraintHashes(requirements, log: log)
        }
        switch installer {
        case .uv(let uv):
            try run(uv, ["venv", "--quiet", "--python", interpreter.executable, path], .createEnvironment, "uv venv", env, log)
            if !requirements.isEmpty {
                let settings = index.installerSettings(uv: true)
                try run(uv, ["pip", "install", "--python", python] + (shared ? ["--compile-bytecode"] : [])
                            + settings.arguments + ["--"] + requirements,
                        .installRequirements, "uv could not install \(requirements.joined(separator: ", "))",
                        env.merging(settings.environment) { $1 }.merging(try constraintSettings(uv: true, log: log)) { $1 }, log)
            }
        case .pip:
            try makeVenv(at: path, env: env, log: log)
            try install(requirements, into: python, compile: shared, env: env, log: log)
        }
        return (installed(in: path), installer.name)
    }

    /// Hashed build constraints are checked by wheelcache's own resolver only (pip and uv
    /// do not check a constraint's hashes): when it could not pick wheels, that is the error.
    private func unmetConstraintHashes(_ requirements: [String], log: String) -> BuildError {
        let names = index.constraintHashes.keys.sorted().joined(separator: ", ")
        let why = native ? "no set of wheels with those hashes satisfies \(requirements.joined(separator: ", ")) from the find-links folders and indexes"
            : "wheelcache resolves them itself only from local find-links folders and indexes with its installer on auto"
        let message = "the build constraints pin hashes for \(names), and \(why); list wheels with those hashes there, or drop the hashes"
        try? FileWrite.scratch(message + "\n", to: log, append: true)
        return .step(.installRequirements, 1, message, log: log)
    }

    /// A fresh venv; without pip when the interpreter's pip can install into it from outside
    /// (a tenth of a second instead of a second).
    func makeVenv(at path: String, env: [String: String], log: String, withPip: Bool? = nil) throws(BuildError) {
        let withPip = withPip ?? !interpreter.pipSupportsPythonOption
        try run(interpreter.executable, ["-m", "venv"] + (withPip ? [] : ["--without-pip"]) + [path],
                .createEnvironment, "python -m venv", env, log)
    }

    /// Installs `requirements` with pip into the venv of `python`; `compile`: bytecode too.
    /// The build constraints as a file the installer reads: their lines without hashes (a
    /// hash in a constraints file turns on pip's hash checking for every requirement).
    private func constraintSettings(uv: Bool, log: String) throws(BuildError) -> [String: String] {
        guard !index.constraints.isEmpty else { return [:] }
        let path = PathText.parent(log) + "/build-constraints.txt"
        do { try FileWrite.scratch(index.constraints.joined(separator: "\n") + "\n", to: path) } catch {
            throw .cannotWrite(path, "the build constraints", error)
        }
        return [(uv ? "UV_CONSTRAINT" : "PIP_CONSTRAINT"): path]
    }

    func install(_ requirements: [String], into python: String, compile: Bool, env: [String: String],
                 log: String) throws(BuildError) {
        guard !requirements.isEmpty else { return }
        var settings = index.installerSettings(uv: false)
        settings.environment.merge(try constraintSettings(uv: false, log: log)) { $1 }
        let options = settings.arguments + (compile ? [] : ["--no-compile"]) + ["--"] + requirements
        let args: [String]
        if interpreter.pipSupportsPythonOption {
            args = [interpreter.executable, "-m", "pip", "--python", python, "install"] + options
        } else {
            args = [python, "-m", "pip", "install"] + options
        }
        try run(args[0], Array(args.dropFirst()), .installRequirements,
                "pip could not install \(requirements.joined(separator: ", "))", env.merging(settings.environment) { $1 }, log)
    }

    /// What is installed in the venv, from its `.dist-info` folder names (`name-version`, as
    /// installers write them), without starting Python.
    private func installed(in venv: String) -> [String] {
        var found: [String] = []
        let lib = venv + "/lib"
        for version in (try? FileManager.default.contentsOfDirectory(atPath: lib)) ?? [] {
            let site = lib + "/" + version + "/site-packages"
            for item in (try? FileManager.default.contentsOfDirectory(atPath: site)) ?? [] where item.hasSuffix(".dist-info") {
                let stem = item.dropLast(".dist-info".count)
                guard let dash = stem.firstIndex(of: "-") else { continue }
                found.append(stem[..<dash] + "==" + stem[stem.index(after: dash)...])
            }
        }
        return found.sorted()
    }

    private func run(_ executable: String, _ arguments: [String], _ step: BuildFailure.Step, _ what: String,
                     _ env: [String: String], _ log: String) throws(BuildError) {
        let status = try ProcessRunner.run(executable, arguments, environment: env, log: log)
        guard status == 0 else {
            throw .step(step, status, "\(what) exited with status \(status)", log: log)
        }
    }
}
