import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SHA-256 of files, read in large blocks.
public enum FileDigest {
    /// The algorithms `hex(_:algorithm:)` knows, by pip's names.
    public static let algorithms: Set<String> = ["sha256", "sha384", "sha512", "md5"]

    /// The file's digest (hex) by `algorithm` (`sha256`, `sha384`, `sha512`, `md5`); nil for
    /// another algorithm.
    public static func hex(_ path: String, algorithm: String) throws(SystemError) -> String? {
        switch algorithm {
        case "sha256": return try sha256(path).hex
        case "sha384": return try digest(path, SHA384()).hex
        case "sha512": return try digest(path, SHA512()).hex
        case "md5": return try digest(path, Insecure.MD5()).hex
        default: return nil
        }
    }

    /// The SHA-256 (hex) and size of the file at `path`.
    /// `regularOnly`: the file must be a regular one, not a device or FIFO (EINVAL), whose
    /// reading may never end; `noFollow`: nor a link (ELOOP), which could lead out of the cache.
    public static func sha256(_ path: String, regularOnly: Bool = false,
                              noFollow: Bool = false) throws(SystemError) -> (hex: String, size: Int64) {
        try digest(path, SHA256(), regularOnly: regularOnly, noFollow: noFollow)
    }

    private static func digest<H: HashFunction>(_ path: String, _ start: H, regularOnly: Bool = false,
                                                noFollow: Bool = false) throws(SystemError) -> (hex: String, size: Int64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | (regularOnly ? O_NONBLOCK : 0) | (noFollow ? O_NOFOLLOW : 0))
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, operation: "read", errno: errno) }
        if regularOnly && info.st_mode & S_IFMT != S_IFREG { throw .io(path: path, operation: "read", errno: EINVAL) }
        var hasher = start
        // A small file needs no 1 MiB buffer (an mmap and munmap each time).
        let capacity = info.st_mode & S_IFMT == S_IFREG ? max(4096, min(1 << 20, Int(info.st_size) + 1)) : 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var size: Int64 = 0
        while true {
            let n = read(fd, buffer.baseAddress, capacity)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read", errno: errno)
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            size += Int64(n)
        }
        return (hasher.finalize().hexString, size)
    }
}
