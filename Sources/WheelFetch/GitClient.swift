import Foundation
import WheelModel

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
            let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            let telling = lines.filter { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") }
            return URLRedaction.redact(telling.first ?? lines.last ?? "git exited with status \(status)")
        }
    }

    /// Runs git with `arguments`; output is captured through files (no pipe deadlocks).
    public func run(_ arguments: [String], in directory: String? = nil) throws(GitError) -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = GitClient.baseOptions + arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        let base = NSTemporaryDirectory() + "wheelcache-git-\(getpid())-\(UUID().uuidString)"
        let outPath = base + ".out", errPath = base + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
              FileManager.default.createFile(atPath: errPath, contents: nil),
              let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw .io(path: base, reason: "cannot create a file for git's output")
        }
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw .io(path: executable, reason: "cannot start it (\(error.localizedDescription))")
        }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        return Output(
            status: process.terminationStatus,
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
