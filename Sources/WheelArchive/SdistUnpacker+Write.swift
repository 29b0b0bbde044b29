import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelSystem

extension SdistUnpacker {
    /// The second pass: writes every entry of a checked archive under `destination` (a real
    /// path), checking each again (`forEachEntry`), and returns the path of the top folder.
    func writeEntries(_ checked: CheckedArchive, into destination: String) throws(ArchiveError) -> String {
        var made = Set<String>()  // folders this pass has made, so each is made once
        var actual: Int64 = 0
        let walk = try forEachEntry(checked.archive, archiveSize: checked.archiveSize,
                                    topFolder: checked.topFolder) { reader, entry throws(ArchiveError) in
            try writeEntry(entry, from: reader, into: destination, made: &made, archive: checked.archive,
                      archiveSize: checked.archiveSize, total: &actual)
        }
        return try walk.topPath(prefix: destination + "/", fallback: destination, topFolder: checked.topFolder,
                                archive: checked.archive)
    }

    /// Writes one checked entry: a folder, a file with its data, a symbolic or a hard link.
    ///
    /// Written by us, not by libarchive's disk writer, which sets the process umask to 0 and
    /// back to read it: another thread starting pip or creating a file meanwhile would get
    /// world-readable files. The checks have ruled out every name that could climb out, clash
    /// or pass through a link, so plain calls are safe here.
    private func writeEntry(_ entry: Entry, from reader: OpaquePointer, into destination: String, made: inout Set<String>,
                            archive: String, archiveSize: Int64, total: inout Int64) throws(ArchiveError) {
        let target = destination + "/" + entry.parts.joined(separator: "/")
        let failure = { (code: Int32) in writeFailure(code, archive: archive, destination: destination, entry: entry.name) }
        // Never set-user-ID bits or ownership from an archive; the owner can always read.
        let mode = mode_t(wca_entry_perm(entry.header) & 0o755) | (entry.fileType == AE_IFDIR ? 0o700 : 0o600)
        try makeParents(of: entry.parts, under: destination, made: &made, archive: archive)
        if let hardLinkTarget = entry.hardLinkTarget {
            guard link(destination + "/" + hardLinkTarget, target) == 0 else { throw failure(errno) }
        } else if entry.fileType == AE_IFDIR {
            made.insert(target)
            if mkdir(target, mode) != 0 {
                // Made already as the parent of an earlier entry: it takes this entry's mode.
                var info = stat()
                guard errno == EEXIST, lstat(target, &info) == 0, info.st_mode & S_IFMT == S_IFDIR,
                      chmod(target, mode & ~ProcessUmask.value) == 0 else {
                    throw failure(errno)
                }
            }
        } else if entry.fileType == AE_IFLNK {
            let linkText = wca_entry_symlink(entry.header).map { String(cString: $0) } ?? ""
            guard symlink(linkText, target) == 0 else { throw failure(errno) }
        } else {
            let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            guard fd >= 0 else { throw failure(errno) }
            defer { close(fd) }
            try copyData(from: reader, to: fd, archive: archive, archiveSize: archiveSize, total: &total,
                         destination: destination, entry: entry.name)
            // The archive's times, as other unpackers keep them (some backends stamp wheels with them).
            let mtime = timespec(tv_sec: wca_entry_mtime(entry.header), tv_nsec: 0)
            var times = [mtime, mtime]
            _ = futimens(fd, &times)
        }
    }

    /// The error for a write that failed with `code`: the disk's fault (full, read-only,
    /// over quota) is said to be so, anything else is the entry's.
    private func writeFailure(_ code: Int32, archive: String, destination: String, entry: String) -> ArchiveError {
        let reason = String(cString: strerror(code))
        if [ENOSPC, EDQUOT, EROFS, EACCES, EIO, EFBIG].contains(code) {
            return .cannotWrite(path: archive, folder: destination, reason: reason)
        }
        return .unsafeEntry(path: archive, entry: entry, reason: reason)
    }

    /// Creates the folders above an entry that the archive did not list first.
    private func makeParents(of parts: [Substring], under destination: String, made: inout Set<String>,
                             archive: String) throws(ArchiveError) {
        var path = destination
        for part in parts.dropLast() {
            path += "/" + part
            guard made.insert(path).inserted else { continue }
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw writeFailure(errno, archive: archive, destination: destination, entry: String(part))
            }
        }
    }

    private func copyData(from reader: OpaquePointer, to fd: Int32, archive: String, archiveSize: Int64,
                          total: inout Int64, destination: String, entry: String) throws(ArchiveError) {
        try readBlocks(reader, archive: archive, archiveSize: archiveSize, total: &total) { block, offset throws(ArchiveError) in
            var written = 0
            while written < block.count, let base = block.baseAddress {
                let n = pwrite(fd, base + written, block.count - written, off_t(offset) + off_t(written))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw writeFailure(errno, archive: archive, destination: destination, entry: entry)
                }
                written += n
            }
        }
    }
}
