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
    public static func sha256(_ path: String) throws(SystemError) -> (hex: String, size: Int64) {
        try digest(path, SHA256())
    }

    private static func digest<H: HashFunction>(_ path: String, _ start: H) throws(SystemError) -> (hex: String, size: Int64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var hasher = start
        let capacity = 1 << 20
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
