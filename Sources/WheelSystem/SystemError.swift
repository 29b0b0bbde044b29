#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file system call that failed, with the real `errno` (FileManager reports Cocoa codes,
/// which `strerror` misreads). Each module that calls these says in its own error what the
/// path was for.
public enum SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    case io(path: String, operation: String, errno: Int32)

    public var path: String { if case .io(let path, _, _) = self { path } else { "" } }
    public var errno: Int32 { if case .io(_, _, let code) = self { code } else { 0 } }

    public var description: String {
        switch self {
        case .io(let path, let operation, let code):
            return "cannot \(operation) \(path): \(String(cString: strerror(code)))"
        }
    }

    /// Whether the failure is the disk's (full, read-only, out of quota), not the input's.
    public var isDiskFault: Bool {
        [ENOSPC, EDQUOT, EROFS, EIO, EFBIG].contains(errno)
    }
}
