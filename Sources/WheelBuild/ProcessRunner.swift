import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelModel
import WheelSystem

/// Runs a child process with an explicit environment and working folder, its output appended
/// to a log file (never to our own stdout, which carries results).
enum ProcessRunner {
    /// Returns the exit status; a signal death is reported as 128 + the signal number. With
    /// `input`, the child's standard input is a socket: once the child has started, `input()`
    /// gives the bytes to send (nil: none), then the child reads end of file.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                    directory: String? = nil, log: String?, input: (() -> [UInt8]?)? = nil) throws(BuildError) -> Int32 {
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
        // A socket rather than a pipe: sending with MSG_NOSIGNAL to a child that has died is an
        // error to ignore, not a SIGPIPE that kills us.
        var pair: [Int32] = [-1, -1]
        if input != nil {
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
                throw .io(path: executable, reason: "cannot make its input (\(String(cString: strerror(errno))))")
            }
        }
        defer { for fd in pair where fd >= 0 { close(fd) } }
        let child: ChildProcess.Started
        do {
            child = try ChildProcess.start(executable, arguments, environment: environment, directory: directory,
                                           input: input == nil ? nil : pair[1], output: handle, error: handle)
        } catch {
            throw .io(path: executable, reason: "cannot start it (\(error.description))")
        }
        if let input {
            close(pair[1])
            pair[1] = -1
            if let bytes = input() {
                var sent = 0
                while sent < bytes.count {
                    let n = bytes.withUnsafeBytes { send(pair[0], $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { break }  // the child is gone; its status tells
                    sent += n
                }
            }
            close(pair[0])
            pair[0] = -1
        }
        let ended = child.wait()
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
