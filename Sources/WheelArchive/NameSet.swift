/// The names an archive has given so far: each file once, and never a name as both a file
/// and a folder (which copy or which kind wins would depend on the tool that unpacks it).
struct NameSet {
    static let twice = "the archive holds this name twice, and which copy counts would depend on the tool that unpacks it"
    private var files = Set<String>()
    private var folders = Set<String>()

    /// Records an entry; returns why it clashes with an earlier one, if it does.
    mutating func insert(_ parts: [Substring], isDirectory: Bool) -> String? {
        let path = parts.joined(separator: "/")
        if files.contains(path) { return isDirectory ? "the name is both a file and a folder" : NameSet.twice }
        var prefix = ""
        for part in parts.dropLast() {
            prefix += prefix.isEmpty ? String(part) : "/" + part
            if files.contains(prefix) { return "'\(prefix)' is both a file (or link) and a folder" }
            folders.insert(prefix)
        }
        if isDirectory {
            folders.insert(path)
        } else {
            if folders.contains(path) { return "the name is both a file and a folder" }
            files.insert(path)
        }
        return nil
    }
}
