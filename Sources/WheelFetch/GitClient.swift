import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelModel
import WheelSystem

/// Runs the `git` command line: never interactive, never reading another repository's
/// variables, messages in English so they can be classified.
public struct GitClient: Sendable {
    public let executable: String
    let environment: [String: String]

    /// Finds `git` on the caller's PATH.
    public init(environment: [String: String]) throws(GitError) {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let found = path.split(separator: ":").map({ "\($0)/git" })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { throw .gitMissing }
        executable = found
        var env = environment
        // Set by git hooks and some CI steps; they would point our commands at the wrong repository.
        for name in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                     "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE"] {
            env.removeValue(forKey: name)
        }
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["LC_ALL"] = "C"
        if env["GIT_SSH_COMMAND"] == nil && env["GIT_SSH"] == nil {
            env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o ConnectTimeout=30"
        }
        self.environment = env
    }

    /// Options for every command: no automatic repacking (other processes may be reading a
    /// mirror's packs through alternates) and a bound on stalled HTTP transfers.
    static let baseOptions = ["-c", "gc.auto=0", "-c", "maintenance.auto=false",
                              "-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=60"]

    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        /// git's most telling line: its last `fatal:`/`error:` line, else the last line.
        public var reason: String {
            let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces() }
                .filter { !$0.isEmpty }
            let telling = lines.filter { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") }
            return URLRedaction.redact(telling.first ?? lines.last ?? "git exited with status \(status)")
        }
    }

    /// Runs git with `arguments`; output is captured through files (no pipe deadlocks).
    public func run(_ arguments: [String], in directory: String? = nil) throws(GitError) -> Output {
        let base = PathText.temporaryDirectory() + "wheelcache-git-\(getpid())-\(UUID().uuidString)"
        let outPath = base + ".out", errPath = base + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        let err = open(errPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        defer {
            if out >= 0 { close(out) }
            if err >= 0 { close(err) }
        }
        guard out >= 0, err >= 0 else { throw .io(path: base, reason: "cannot create a file for git's output") }
        let ended: ChildProcess.Termination
        do {
            ended = try ChildProcess.run(executable, GitClient.baseOptions + arguments, environment: environment,
                                         directory: directory, output: out, error: err)
        } catch {
            throw .io(path: executable, reason: "cannot start it (\(error.description))")
        }
        // As `Process.terminationStatus`: the exit status, or the number of the signal that ended it.
        return Output(
            status: ended.status,
            stdout: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
            stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }

    /// The refs the remote advertises.
    public func listRemote(_ source: GitURL) throws(GitError) -> GitRefs {
        let output = try run(["ls-remote", "--", source.remote])
        guard output.status == 0 else { throw .unreachable(url: source.redacted, reason: output.reason) }
        return GitRefs(lsRemoteOutput: output.stdout)
    }
}

/// Failures of git sources. All but `io` are the source's fault (exit 2).
public enum GitError: Error, Equatable, Sendable, CustomStringConvertible {
    case gitMissing
    case unreachable(url: String, reason: String)
    case unknownRevision(url: String, revision: String)
    case ambiguousRevision(url: String, revision: String)
    case unknownCommit(url: String, commit: String)
    case noSubdirectory(url: String, subdirectory: String)
    case noProject(url: String, folder: String)
    case failed(url: String, step: String, reason: String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .gitMissing:
            return "git sources need the git command, which is not on PATH; install git (apt-get install git)"
        case .unreachable(let url, let reason):
            return "git source '\(url)': the repository cannot be reached (\(reason)); check the URL, the network and your credentials"
        case .unknownRevision(let url, let revision):
            return "git source '\(url)': the repository has no branch, tag or commit '\(revision)'"
        case .ambiguousRevision(let url, let revision):
            return "git source '\(url)': the short commit id '\(revision)' matches several objects; give more digits or the full id"
        case .unknownCommit(let url, let commit):
            return "git source '\(url)': the repository has no commit \(commit)"
        case .noSubdirectory(let url, let subdirectory):
            return "git source '\(url)': #subdirectory=\(subdirectory) is not a folder in that commit"
        case .noProject(let url, let folder):
            return "git source '\(url)': \(folder) holds no Python project (no pyproject.toml or setup.py)"
        case .failed(let url, let step, let reason):
            return "git source '\(url)': \(step) failed (\(reason))"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        }
    }

    /// Whether the fault lies with the source (exit 2) rather than this machine.
    public var isInputError: Bool {
        if case .io = self { return false }
        return true
    }
}
