/// Lexical checks on paths read from archives, before anything touches the disk.
enum ArchivePath {
    /// Splits an archive member name into components, dropping `.` and empty ones.
    /// Returns nil for a name that is absolute or climbs with `..`.
    static func safeComponents(_ name: String) -> [Substring]? {
        if name.hasPrefix("/") || name.contains("\0") { return nil }
        var parts: [Substring] = []
        for part in name.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { return nil }
            parts.append(part)
        }
        return parts
    }

    /// Whether a symbolic link at `entry` (components) pointing at `target` stays inside the
    /// tree rooted at the entry's first component.
    static func linkStaysInside(entry: [Substring], target: String) -> Bool {
        if target.hasPrefix("/") || target.isEmpty { return false }
        var stack = Array(entry.dropLast())
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                // The top folder itself is the floor: a link may not climb out of it.
                guard stack.count > 1 else { return false }
                stack.removeLast()
            } else {
                stack.append(part)
            }
        }
        return !stack.isEmpty
    }
}

// libarchive's AE_IF* macros carry a cast, so Swift does not import them.
let AE_IFREG: UInt32 = 0o100000
let AE_IFLNK: UInt32 = 0o120000
let AE_IFDIR: UInt32 = 0o040000
