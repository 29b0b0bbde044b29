#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory `flock` on a file, released when the value is released or `unlock()` is called.
/// The kernel drops it when the process dies, so a killed build never leaves a stale lock.
public final class FileLock: @unchecked Sendable {
    public enum Mode: Sendable { case shared, exclusive }

    private var fd: Int32
    public let path: String

    /// Takes the lock, calling `waiting` once if another process holds it first.
    public init(path: String, mode: Mode, waiting: (() -> Void)? = nil) throws(SystemError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)  // never through a planted link
        guard fd >= 0 else { throw .io(path: path, operation: "open lock file", errno: errno) }
        self.path = path
        let op = mode == .shared ? LOCK_SH : LOCK_EX
        if flock(fd, op | LOCK_NB) != 0 {
            waiting?()
            while flock(fd, op) != 0 {
                guard errno == EINTR else {
                    let code = errno
                    close(fd)
                    throw .io(path: path, operation: "lock", errno: code)
                }
            }
        }
    }

    /// Takes the lock only if nobody holds it; nil otherwise.
    public static func tryExclusive(path: String) -> FileLock? {
        let fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); return nil }
        return FileLock(fd: fd, path: path)
    }

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    public func unlock() {
        if fd >= 0 { close(fd); fd = -1 }
    }

    deinit { unlock() }
}
