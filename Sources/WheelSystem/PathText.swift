#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Path arithmetic on strings, as corelibs Foundation's `NSString` path methods do it (the
/// binary links only FoundationEssentials, which has none of them): same results, including
/// `standardized` resolving symbolic links as `standardizingPath` does on Linux.
public enum PathText {
    /// `NSTemporaryDirectory()`: `TMPDIR` (with a trailing slash), else "/tmp/".
    public static func temporaryDirectory() -> String {
        guard let value = getenv("TMPDIR").map({ String(cString: $0) }) else { return "/tmp/" }
        return value.hasSuffix("/") ? value : value + "/"
    }

    /// `lastPathComponent`: "a/b/" → "b", "/" → "/", "" → "".
    public static func lastComponent(_ path: String) -> String {
        let fixed = fixingSlashes(path)
        guard fixed.utf8.count > 1 else { return fixed }
        return String(fixed[startOfLastComponent(fixed)...])
    }

    /// `deletingLastPathComponent`: "a/b" → "a", "/a" → "/", "a" → "".
    public static func parent(_ path: String) -> String {
        let fixed = fixingSlashes(path)
        if fixed == "/" || fixed.isEmpty { return fixed }
        let start = startOfLastComponent(fixed)
        if start == fixed.startIndex { return "" }
        if start == fixed.index(after: fixed.startIndex) { return "/" }
        return String(fixed[..<fixed.index(before: start)])
    }

    /// `appendingPathComponent`: one slash between, none added to an empty side.
    public static func appending(_ path: String, _ component: String) -> String {
        if component.isEmpty { return path }
        if path.isEmpty { return component }
        return path.hasSuffix("/") ? path + component : path + "/" + component
    }

    /// `expandingTildeInPath`: `~` and `~user` at the start become the home folder.
    public static func expandingTilde(_ path: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let end = path.firstIndex(of: "/") ?? path.endIndex
        let user = String(path[path.index(after: path.startIndex)..<end])
        guard let home = homeDirectory(user: user.isEmpty ? nil : user) else {
            return stripTrailingSlash(path)
        }
        return stripTrailingSlash(home + path[end...])
    }

    /// `standardizingPath`: `~` expanded, then `resolvingSymlinks`, less a `/var/automount` prefix.
    public static func standardized(_ path: String) -> String {
        let resolved = resolvingSymlinks(expandingTilde(path))
        return removingPrefix("/var/automount", from: resolved) ?? resolved
    }

    /// `resolvingSymlinksInPath`, as corelibs Foundation does it on Linux: component by
    /// component, `.` and empty parts dropped, `..` taking off the last component of an
    /// absolute path, and a symbolic link replaced by `realpath` of its target (a relative
    /// target is thus taken from the current directory, not the link's folder; when that
    /// fails, the link stays). Parts that do not exist are kept as they are.
    public static func resolvingSymlinks(_ path: String) -> String {
        var components = self.components(path)
        guard !components.isEmpty else { return path }
        if components.count > 1 && components.last == "/" { components.removeLast() }
        let absolute = path.hasPrefix("/") || path.hasPrefix("~")
        var resolved = components.removeFirst()
        for component in components {
            switch component {
            case "", ".":
                break
            case ".." where absolute:
                resolved = parent(resolved)
            default:
                resolved = appending(resolved, component)
                if let destination = readLink(resolved), let real = realPath(destination) { resolved = real }
            }
        }
        return removingPrefix("/private", from: resolved) ?? resolved
    }

    /// `path` without `prefix` when that names something that exists (Foundation's macOS habit).
    private static func removingPrefix(_ prefix: String, from path: String) -> String? {
        guard path != prefix, path.hasPrefix(prefix) else { return nil }
        let rest = String(path.dropFirst(prefix.count))
        var info = stat()
        return stat(rest, &info) == 0 ? rest : nil
    }

    static func realPath(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }

    /// `pathComponents`: a leading "/" and a trailing "/" are components of their own.
    static func components(_ path: String) -> [String] {
        guard !path.isEmpty else { return [] }
        var result: [String] = path.hasPrefix("/") ? ["/"] : []
        result += path.split(separator: "/").map(String.init)
        if path.utf8.count > 1 && path.hasSuffix("/") { result.append("/") }
        return result
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = buffer.withUnsafeMutableBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { readlink(path, $0.baseAddress!, $0.count - 1) }
        }
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// The home folder of `user`, or of the current user (from the password database, as
    /// corelibs Foundation does, else `HOME`).
    public static func homeDirectory(user: String? = nil) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        let status = user.map { getpwnam_r($0, &entry, &buffer, buffer.count, &result) }
            ?? getpwuid_r(geteuid(), &entry, &buffer, buffer.count, &result)
        if status == 0, result != nil, let dir = entry.pw_dir { return stripTrailingSlash(String(cString: dir)) }
        if user == nil, let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty {
            return stripTrailingSlash(home)
        }
        return nil
    }
    /// Repeated slashes made one and a trailing slash dropped ("/" stays).
    static func fixingSlashes(_ path: String) -> String {
        if path == "/" { return path }
        // Most paths need nothing: one pass over the bytes says so.
        var previous: UInt8 = 0, clean = true
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") && previous == byte { clean = false; break }
            previous = byte
        }
        if clean && previous != UInt8(ascii: "/") { return path }
        var result = ""
        result.reserveCapacity(path.utf8.count)
        var previousSlash = false
        for character in path {
            if character == "/" {
                if previousSlash { continue }
                previousSlash = true
            } else {
                previousSlash = false
            }
            result.append(character)
        }
        if result.hasSuffix("/") { result.removeLast() }
        return result
    }

    static func stripTrailingSlash(_ path: String) -> String {
        path.utf8.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    private static func startOfLastComponent(_ path: String) -> String.Index {
        guard let slash = path.lastIndex(of: "/") else { return path.startIndex }
        return path.index(after: slash)
    }
}
