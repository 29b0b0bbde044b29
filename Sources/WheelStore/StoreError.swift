import WheelSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors from the local cache.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file system operation on the cache failed.
    case io(path: String, operation: String, errno: Int32)
    /// The cache root exists but is not a folder.
    case notADirectory(String)
    /// A manifest could not be written or read.
    case badManifest(path: String, reason: String)
    /// Delivering a wheel to the wheel folder failed.
    case delivery(path: String, errno: Int32)
    /// The cache folder to manage does not exist (or is not a folder).
    case noCache(String)
    /// The folder to manage has no `CACHEDIR.TAG` written by wheelcache: it is not ours to remove from.
    case notWheelcacheCache(String)
    /// The cache folder belongs to another user; the message names both and says what to do.
    case foreignOwner(String)

    public var description: String {
        switch self {
        case .io(let path, let operation, let code):
            return "cannot \(operation) \(path): \(String(cString: strerror(code))); check the cache folder's permissions and free space"
        case .notADirectory(let path):
            return "cache folder \(path) is not a folder; pass another with --cache-dir"
        case .badManifest(let path, let reason):
            return "cache manifest \(path) is unreadable (\(reason))"
        case .delivery(let path, ENOTDIR):
            return "the wheel folder \(path) is not a folder (a file, or a link to nothing); pass another with -w"
        case .delivery(let path, let code):
            return "cannot write \(path): \(String(cString: strerror(code))); check the wheel folder (-w)"
        case .noCache(let path):
            return "\(path) does not exist or is not a folder; nothing to do"
        case .notWheelcacheCache(let path):
            return "\(path) is not a wheelcache cache (it has no CACHEDIR.TAG written by wheelcache); refusing to touch it"
        case .foreignOwner(let message):
            return message
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension StoreError {
    /// A failed system call, said as the cache's.
    init(_ error: SystemError) {
        switch error {
        case .io(let path, let operation, let code): self = .io(path: path, operation: operation, errno: code)
        }
    }
}

/// Runs a system call of `WheelSystem`, its failure said as the cache's.
func io<T>(_ body: () throws -> T) throws(StoreError) -> T {
    do { return try body() } catch let error as SystemError { throw StoreError(error) } catch {
        throw .io(path: "", operation: "\(error)", errno: EIO)  // the body calls only WheelSystem
    }
}
