#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads parts of a file by offset (what we used `FileHandle` for); closed when released.
public final class FileReader {
    private let fd: Int32

    public init?(path: String) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
    }

    deinit { close(fd) }

    /// The file's size in bytes.
    public func size() -> UInt64? {
        let end = lseek(fd, 0, SEEK_END)
        return end < 0 ? nil : UInt64(end)
    }

    /// Up to `count` bytes from `offset`, fewer only at the end of the file; nil on an error.
    public func read(at offset: UInt64, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { return nil }
            if got == 0 { break }
            done += got
        }
        return Array(bytes[0..<done])
    }

    /// A whole small file read in one go (a manifest, a record): it must be a regular file of
    /// at most `limit` bytes. `noFollow`: a symbolic link is refused (ELOOP), as inside the
    /// cache, where a link could lead anywhere. Errors carry the real errno; EFBIG for size.
    public static func contents(of path: String, limit: Int, noFollow: Bool = false) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (noFollow ? O_NOFOLLOW : 0))
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, operation: "read", errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .io(path: path, operation: "read", errno: EINVAL) }
        guard info.st_size <= limit else { throw .io(path: path, operation: "read", errno: EFBIG) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var done = 0
        while done < bytes.count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { throw .io(path: path, operation: "read", errno: errno) }
            if got == 0 { break }
            done += got
            // Grown since fstat: still bounded.
            if done == bytes.count && done <= limit { bytes += [UInt8](repeating: 0, count: min(4096, limit + 1 - done)) }
        }
        guard done <= limit else { throw .io(path: path, operation: "read", errno: EFBIG) }
        return Array(bytes[0..<done])
    }
}
