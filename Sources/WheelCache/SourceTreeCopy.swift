import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelSystem

/// Copies a local project into a build folder, so building never writes into the user's tree
/// (setuptools leaves `build/` and `*.egg-info` behind otherwise). Files, folders and links
/// are copied as they are (links as links, never followed); what is not the project is left
/// out: earlier build output, virtual environments, wheelcache's own cache and wheel folder
/// when they live inside the project (the README's CI layout), and any folder marked as a
/// cache by a `CACHEDIR.TAG`. A FIFO, socket or device is refused: reading one may never end.
enum SourceTreeCopy {
    /// Top-level folders never copied: caches, virtual environments and earlier build output.
    static let skipped: Set<String> = [".tox", ".nox", ".venv", "venv", "__pycache__", ".mypy_cache",
                                       ".pytest_cache", ".ruff_cache", "node_modules", "build", "dist"]

    /// `excluding`: folders left out wherever they appear in the tree (the cache, the wheel folder).
    static func copy(_ source: String, to target: String, excluding: [String] = []) throws {
        var excluded = Set<FileID>()
        for path in excluding {
            var info = stat()
            if stat(path, &info) == 0 { excluded.insert(FileID(info)) }
        }
        try copyFolder(source, to: target, excluded: excluded, top: true)
    }

    private struct FileID: Hashable {
        let device: UInt64
        let inode: UInt64
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    private static func copyFolder(_ source: String, to target: String, excluded: Set<FileID>, top: Bool) throws {
        var info = stat()
        guard stat(source, &info) == 0 else { throw SystemError.io(path: source, operation: "read", errno: errno) }
        try make(target, mode: info.st_mode & 0o7777 | 0o700)
        for item in FileTree.items(source).sorted(by: { $0.name < $1.name }) {
            if top && (skipped.contains(item.name) || item.name.hasSuffix(".egg-info")) { continue }
            let from = source + "/" + item.name, to = target + "/" + item.name
            guard lstat(from, &info) == 0 else { throw SystemError.io(path: from, operation: "read", errno: errno) }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if excluded.contains(FileID(info)) || FileTree.kind(from + "/CACHEDIR.TAG") == .file { continue }
                try copyFolder(from, to: to, excluded: excluded, top: false)
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let count = readlink(from, &buffer, buffer.count - 1)
                guard count >= 0 else { throw SystemError.io(path: from, operation: "read", errno: errno) }
                guard symlink(String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self), to) == 0 else {
                    throw SystemError.io(path: to, operation: "write", errno: errno)
                }
            case S_IFREG:
                try copyFile(from, to: to, info: info)
            default:
                let what = info.st_mode & S_IFMT == S_IFIFO ? "a FIFO" : info.st_mode & S_IFMT == S_IFSOCK ? "a socket" : "a device"
                throw PipelineError.unsupportedSource(from, "the project folder holds \(what), which wheelcache does not copy (reading one may never end); remove it, or move it out of the project")
            }
        }
    }

    private static func make(_ path: String, mode: mode_t) throws {
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw SystemError.io(path: path, operation: "create folder", errno: errno) }
    }

    /// The bytes, the permission bits and the modification time (backends may compare times).
    private static func copyFile(_ source: String, to target: String, info: stat) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard input >= 0 else { throw SystemError.io(path: source, operation: "read", errno: errno) }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, info.st_mode & 0o777 | 0o600)
        guard output >= 0 else { throw SystemError.io(path: target, operation: "write", errno: errno) }
        defer { close(output) }
        let capacity = 1 << 16
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let got = read(input, buffer.baseAddress, capacity)
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                throw SystemError.io(path: source, operation: "read", errno: errno)
            }
            var done = 0
            while done < got {
                let wrote = write(output, buffer.baseAddress! + done, got - done)
                if wrote < 0 {
                    if errno == EINTR { continue }
                    throw SystemError.io(path: target, operation: "write", errno: errno)
                }
                done += wrote
            }
        }
        var times = [info.st_atim, info.st_mtim]
        _ = futimens(output, &times)
    }
}
