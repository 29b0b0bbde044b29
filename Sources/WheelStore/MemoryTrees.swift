import CSpawn
import FoundationEssentials
import WheelModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelSystem

/// Source trees unpacked into memory (`/dev/shm`, a tmpfs) rather than the cache's disk: an
/// sdist's tree lives only while its build runs, and on a disk under write pressure (or a
/// cloud disk rate-limited in operations) creating and deleting its files can take longer
/// than the build itself. Used only when there is plenty of room (what a pure-Python build
/// writes is about the tree again, so compiled sources stay on disk: their object files can
/// be far larger), and `WHEELCACHE_MEMORY_TREES=0` turns it off.
///
/// Layout: `/dev/shm/wheelcache-UID/` (0700, ours), one `src-XXXXXX/` per build holding
/// `owner` (the path of its staging folder's lock) and the tree. The build removes its own;
/// `clearStale` removes those whose staging lock is free or gone (a killed build's).
public enum MemoryTrees {
    static let root = "/dev/shm"
    /// This user's folder there.
    static var basePath: String { root + "/wheelcache-\(getuid())" }

    /// A fresh folder for a tree of about `bytes` unpacked, owned by the staging folder whose
    /// lock is `ownerLock`; nil when memory is not the place (no tmpfs, little room, or not
    /// ours to use).
    public static func folder(for bytes: Int64, ownerLock: String) -> String? {
        var fs = statvfs()
        guard wc_is_tmpfs(root) != 0, statvfs(root, &fs) == 0 else { return nil }
        let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        guard free >= (512 << 20) + 4 * bytes else { return nil }
        guard let base = base() else { return nil }
        var template = Array((base + "/src-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { return nil }
        let folder = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do { try FileWrite.scratch(ownerLock, to: folder + "/owner") } catch {
            FileTree.remove(folder)
            return nil
        }
        return folder
    }

    /// Removes trees of builds that are gone: their staging lock is free or missing. A tree
    /// without a readable owner is left a minute (its build may be writing it now).
    public static func clearStale() {
        let base = basePath
        for item in FileTree.items(base) where item.kind == .folder && item.name.hasPrefix("src-") {
            let folder = base + "/" + item.name
            guard let data = FileManager.default.contents(atPath: folder + "/owner"), !data.isEmpty else {
                if item.modified.timeIntervalSinceNow < -60 { FileTree.remove(folder) }
                continue
            }
            let owner = String(decoding: data, as: UTF8.self)
            if access(owner, F_OK) != 0 {
                FileTree.remove(folder)
            } else if let lock = FileLock.tryExclusive(path: owner) {
                FileTree.remove(folder)
                lock.unlock()
            }
        }
    }

    /// `/dev/shm/wheelcache-UID`, made if missing; nil unless it is a real folder of ours,
    /// which is then closed to everyone else.
    private static func base() -> String? {
        let base = basePath
        _ = mkdir(base, 0o700)
        var st = stat()
        guard lstat(base, &st) == 0, st.st_mode & S_IFMT == S_IFDIR, st.st_uid == getuid() else { return nil }
        if st.st_mode & 0o077 != 0 && chmod(base, 0o700) != 0 { return nil }
        return base
    }
}
