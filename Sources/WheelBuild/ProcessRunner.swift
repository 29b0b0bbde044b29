import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelModel
import WheelStore

/// Runs a child process with an explicit environment and working folder, its output appended
/// to a log file (never to our own stdout, which carries results).
enum ProcessRunner {
    /// Returns the exit status; a signal death is reported as 128 + the signal number.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                    directory: String? = nil, log: String?) throws(BuildError) -> Int32 {
        // The log is created if missing and written from its end; an unopenable log means /dev/null.
        var handle: Int32?
        if let log {
            let fd = open(log, O_WRONLY | O_CREAT | O_CLOEXEC, 0o666)
            if fd >= 0 {
                lseek(fd, 0, SEEK_END)
                handle = fd
            }
        }
        defer { if let handle { close(handle) } }
        let ended: ChildProcess.Termination
        do {
            ended = try ChildProcess.run(executable, arguments, environment: environment, directory: directory,
                                         output: handle, error: handle)
        } catch {
            throw .io(path: executable, reason: "cannot start it (\(error.description))")
        }
        return ended.signaled ? 128 + ended.status : ended.status
    }

    /// The last `count` lines of a log file.
    static func tail(_ path: String, count: Int = 20) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let lines = String(decoding: data.suffix(64 * 1024), as: UTF8.self)
            .split(whereSeparator: \.isNewline).map(String.init)
        return Array(lines.suffix(count))
    }
}

/// The environment a build runs in: the caller's, less credentials, so a backend (or
/// anything it runs) cannot read or leak them.
public enum BuildEnvironmentVariables {
    static let secretMarkers = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "APIKEY", "PRIVATE_KEY"]

    /// Whether a variable name looks like it carries a credential.
    public static func isSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        if upper.hasPrefix("AWS_") || upper.hasPrefix("WHEELCACHE_REMOTE") { return true }
        return secretMarkers.contains { upper.contains($0) }
    }

    /// The caller's environment without credentials.
    public static func sanitized(_ environment: [String: String]) -> [String: String] {
        environment.filter { !isSecret($0.key) }
    }

    /// The environment for the backend's hooks: also without variables whose value holds a
    /// URL with credentials (`PIP_INDEX_URL=https://user:token@…`), which only the installer
    /// of build requirements needs.
    public static func forBackend(_ environment: [String: String]) -> [String: String] {
        sanitized(environment).filter { URLRedaction.redact($0.value) == $0.value }
    }
}
