import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Walks and removes folders without ever following a symbolic link: every folder is opened
/// with `O_NOFOLLOW` relative to its parent's descriptor, so a link planted inside the cache
/// (or swapped in while we walk) is counted and removed as a link, never entered.
public enum FileTree {
    /// Files (anything but folders, links included) and their apparent bytes.
    public struct Usage: Equatable, Sendable {
        public var files: Int = 0
        public var bytes: Int64 = 0

        public init(files: Int = 0, bytes: Int64 = 0) {
            self.files = files
            self.bytes = bytes
        }

        public static func + (a: Usage, b: Usage) -> Usage { Usage(files: a.files + b.files, bytes: a.bytes + b.bytes) }
        public static func += (a: inout Usage, b: Usage) { a = a + b }
    }

    public enum Kind: Sendable { case file, folder, link, other }

    /// One name in a folder, with what `lstat` says of it.
    public struct Item: Sendable {
        public let name: String
        public let kind: Kind
        public let size: Int64
        public let modified: Date
    }

    /// The items of a folder (not following links; the folder itself must not be a link).
    public static func items(_ path: String) -> [Item] {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        return items(fd: fd)
    }

    /// What a path is, without following it.
    public static func kind(_ path: String) -> Kind? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return kind(st.st_mode)
    }

    /// The size of the file at `path` (following a link), 0 when there is none.
    public static func size(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    /// Usage of everything below `path` (or of `path` itself when it is not a folder).
    public static func usage(_ path: String) -> Usage {
        var st = stat()
        guard lstat(path, &st) == 0 else { return Usage() }
        guard kind(st.st_mode) == .folder else { return Usage(files: 1, bytes: Int64(st.st_size)) }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return Usage() }
        return usage(fd: fd)
    }

    /// Removes `path` and everything below it; a link is removed, not its target. Returns
    /// what was removed. Missing paths are no error.
    @discardableResult
    public static func remove(_ path: String) -> Usage {
        let parent = PathText.parent(path)
        let dirfd = open(parent.isEmpty ? "." : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirfd >= 0 else { return Usage() }
        defer { close(dirfd) }
        return remove(at: dirfd, PathText.lastComponent(path))
    }

    /// Clears the `mask` bits from every file and folder below `path` (links are left alone):
    /// tools that give files their template's mode, such as venv's activate scripts and pip's
    /// console scripts, would otherwise leave them readable beyond what the umask allows.
    public static func restrictModes(_ path: String, mask: mode_t) {
        guard mask != 0 else { return }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return }
        restrictModes(fd: fd, mask: mask)
    }

    // MARK: - descriptor-relative helpers

    private static func restrictModes(fd: Int32, mask: mode_t) {
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, st.st_mode & mask != 0 { fchmod(fd, st.st_mode & 0o7777 & ~mask) }
        for child in items(fd: dup(fd)) {
            switch child.kind {
            case .folder:
                let sub = openat(fd, child.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if sub >= 0 { restrictModes(fd: sub, mask: mask) }
            case .file:
                if fstatat(fd, child.name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & mask != 0 {
                    fchmodat(fd, child.name, st.st_mode & 0o7777 & ~mask, 0)
                }
            case .link, .other:
                break
            }
        }
    }

    private static func kind(_ mode: mode_t) -> Kind {
        switch mode & S_IFMT {
        case S_IFDIR: return .folder
        case S_IFLNK: return .link
        case S_IFREG: return .file
        default: return .other
        }
    }

    /// Reads the folder open at `fd` (which is consumed).
    private static func items(fd: Int32) -> [Item] {
        guard let dir = fdopendir(fd) else { close(fd); return [] }
        defer { closedir(dir) }
        var out: [Item] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            var st = stat()
            guard fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            let modified = Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
            out.append(Item(name: name, kind: kind(st.st_mode), size: Int64(st.st_size), modified: modified))
        }
        return out
    }

    private static func usage(fd: Int32) -> Usage {
        let children = items(fd: dup(fd))
        defer { close(fd) }
        var total = Usage()
        for child in children {
            if child.kind == .folder {
                let sub = openat(fd, child.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if sub >= 0 { total += usage(fd: sub) }
            } else {
                total += Usage(files: 1, bytes: child.size)
            }
        }
        return total
    }

    private static func remove(at dirfd: Int32, _ name: String) -> Usage {
        var st = stat()
        guard fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return Usage() }
        guard kind(st.st_mode) == .folder else {
            return unlinkat(dirfd, name, 0) == 0 ? Usage(files: 1, bytes: Int64(st.st_size)) : Usage()
        }
        let fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return Usage() }
        var removed = Usage()
        for child in items(fd: dup(fd)) {
            removed += remove(at: fd, child.name)
        }
        close(fd)
        unlinkat(dirfd, name, AT_REMOVEDIR)
        return removed
    }
}
