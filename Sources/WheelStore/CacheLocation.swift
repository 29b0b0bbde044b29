import FoundationEssentials
import WheelModel
import WheelSystem

/// Where the cache lives: `--cache-dir`, else `WHEELCACHE_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/wheelcache`, else `~/.cache/wheelcache`.
public enum CacheLocation {
    public static func resolve(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return absolute(explicit) }
        if let fromEnv = environment["WHEELCACHE_CACHE_DIR"], !fromEnv.isEmpty { return absolute(fromEnv) }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/wheelcache" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (PathText.homeDirectory() ?? "")
        return home + "/.cache/wheelcache"
    }

    /// Whether the environment turns the cache off (`WHEELCACHE_NO_CACHE_DIR`, as pip's
    /// `PIP_NO_CACHE_DIR`, takes a true-ish value).
    public static func disabledByEnvironment(_ environment: [String: String]) -> Bool {
        guard let value = environment["WHEELCACHE_NO_CACHE_DIR"]?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(value)
    }

    /// An absolute, `~`-expanded form of a user-given path.
    public static func absolute(_ path: String) -> String {
        let expanded = PathText.expandingTilde(path)
        if expanded.hasPrefix("/") { return PathText.standardized(expanded) }
        let cwd = FileManager.default.currentDirectoryPath
        return PathText.standardized(PathText.appending(cwd, expanded))
    }
}
