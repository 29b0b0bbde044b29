import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing files with POSIX calls: the cache needs fsync and exact errors, which FileManager
/// hides.
public enum FileWrite {
    /// `mkdir -p` with the real errno (FileManager reports Cocoa codes, which strerror misreads).
    public static func makeDirectories(_ path: String) throws(SystemError) {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw .io(path: path, operation: "create folder", errno: errno) }
        let parent = PathText.parent(path)
        guard !parent.isEmpty, parent != path else { throw .io(path: path, operation: "create folder", errno: ENOENT) }
        try makeDirectories(parent)
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw .io(path: path, operation: "create folder", errno: errno) }
    }

    /// Copies a file's bytes and fsyncs the copy.
    public static func copy(_ source: String, to target: String) throws(SystemError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .io(path: source, operation: "open", errno: errno) }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw .io(path: target, operation: "create", errno: errno) }
        defer { close(output) }
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(input, buffer, capacity)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: source, operation: "read", errno: errno)
            }
            var done = 0
            while done < n {
                let w = write(output, buffer + done, n - done)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw .io(path: target, operation: "write", errno: errno)
                }
                done += w
            }
        }
        guard fsync(output) == 0 else { throw .io(path: target, operation: "sync", errno: errno) }
    }

    /// Writes a file by way of a temporary name and fsyncs it.
    public static func atomically(_ data: Data, to path: String) throws(SystemError) {
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, operation: "create", errno: errno) }
        let ok = data.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                let w = write(fd, raw.baseAddress! + done, raw.count - done)
                if w < 0 { if errno == EINTR { continue }; return false }
                done += w
            }
            return fsync(fd) == 0
        }
        let code = errno
        close(fd)
        guard ok else { unlink(temporary); throw .io(path: path, operation: "write", errno: code) }
        guard rename(temporary, path) == 0 else { unlink(temporary); throw .io(path: path, operation: "rename", errno: errno) }
    }

    /// fsyncs a file or folder, so a rename into it survives a crash.
    public static func sync(_ path: String) throws(SystemError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "sync", errno: errno) }
    }

    /// Writes a scratch file (a hook runner's input, a launcher in a venv being made): created or
    /// truncated, with no fsync and no temporary name, which FileManager's `createFile` does at a
    /// cost of milliseconds each on some disks. Files whose folder is published later need nothing
    /// more; nothing else reads them if the process dies.
    /// `append`: add to the end of what is there (a log) instead of truncating.
    public static func scratch(_ text: String, to path: String, append: Bool = false) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC) | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw .io(path: path, operation: "create", errno: errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let w = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if w < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write", errno: errno)
            }
            done += w
        }
    }
}
