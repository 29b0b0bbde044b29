#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelSystem

/// Errors from probing interpreters and running builds. `isInputError` separates bad input
/// (exit 2) from builds that ran and failed (exit 1).
public enum BuildError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `--python` (or `python3` on PATH) is missing or does not behave like Python.
    case notAPython(path: String, reason: String)
    /// The project's `pyproject.toml` cannot be used.
    case badProject(path: String, reason: String)
    /// A step of the build failed; `log` is the kept log and `tail` its last lines.
    case failed(BuildFailure)
    /// A file system step of the build failed.
    case io(path: String, reason: String)

    /// A step that ran and failed, with the last lines of its log.
    static func step(_ step: BuildFailure.Step, _ status: Int32, _ message: String, log: String) -> BuildError {
        .failed(BuildFailure(step: step, status: status, message: message, log: log, tail: ProcessRunner.tail(log)))
    }

    /// A file wheelcache writes for a build could not be written: the disk's fault when full.
    static func cannotWrite(_ path: String, _ what: String, _ error: SystemError) -> BuildError {
        let code = error.errno
        let hint = code == ENOSPC || code == EDQUOT ? "; " + BuildFailure.diskFullAdvice : ""
        return .io(path: path, reason: "cannot write \(what): \(String(cString: strerror(code)))\(hint)")
    }

    public var isInputError: Bool {
        switch self {
        case .notAPython, .badProject: return true
        case .failed, .io: return false
        }
    }

    public var description: String {
        switch self {
        case .notAPython(let path, let reason):
            return "\(path) is not a usable Python interpreter (\(reason)); pass one with --python"
        case .badProject(let path, let reason):
            return "\(path): \(reason)"
        case .failed(let failure):
            return failure.description
        case .io(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}

/// A build step that ran and failed: a value with the step, its exit status and the log.
public struct BuildFailure: Equatable, Sendable, CustomStringConvertible {
    public enum Step: String, Sendable {
        case createEnvironment = "creating the build environment"
        case installRequirements = "installing build requirements"
        case getRequires = "get_requires_for_build_wheel"
        case buildWheel = "build_wheel"
        case loadBackend = "loading the build backend"
    }

    public var step: Step
    public var status: Int32
    public var message: String
    /// Where the whole log is kept.
    public var log: String
    /// The last lines of the log.
    public var tail: [String]
    /// Whether the step failed for want of disk space (its log says so, or the disk holding
    /// the build has next to nothing left): then that is the error, not the backend.
    public var diskFull: Bool

    public init(step: Step, status: Int32, message: String, log: String, tail: [String]) {
        self.step = step
        self.status = status
        self.message = message
        self.log = log
        self.tail = tail
        diskFull = tail.contains { $0.contains("No space left on device") } || BuildFailure.nearlyFull(log)
    }

    static let diskFullAdvice = "free some space, or choose another cache folder with --cache-dir"

    public var description: String {
        if diskFull {
            return "\(step.rawValue) failed: No space left on device; \(BuildFailure.diskFullAdvice)"
        }
        return "\(step.rawValue) failed (\(message)); see the log for details"
    }

    /// Whether the file system holding `path` has less than 1 MiB left for us.
    static func nearlyFull(_ path: String) -> Bool {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return false }  // the log, made before the step ran
        return UInt64(info.f_bavail) * UInt64(info.f_frsize) < 1 << 20
    }
}
