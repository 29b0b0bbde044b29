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
