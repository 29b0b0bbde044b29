import CArchive
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelModel
import WheelSystem

/// Unpacks sdist archives (tar in any compression, or zip) with libarchive, refusing entries
/// that would write outside the destination: absolute paths, `..`, links that leave the tree,
/// device files and FIFOs, names given twice or as both a file and a folder, and archives past
/// the bounds of `ArchiveLimits`. The whole archive is checked in a first pass that writes
/// nothing, so a refused archive leaves no files behind (a zip's data is read and counted
/// there too: its headers' sizes can lie); the second pass writes it with plain calls (not
/// libarchive's disk writer), checking again as it goes.
public struct SdistUnpacker: Sendable {
    public var limits: ArchiveLimits

    public init(limits: ArchiveLimits = .sdist) {
        self.limits = limits
    }

    /// Unpacks `archive` into the empty folder `destination` and returns the path of the
    /// archive's single top folder.
    public func unpack(_ archive: String, into destination: String) throws(ArchiveError) -> String {
        try write(check(archive), into: destination)
    }

    /// Unpacks `archive` (a wheel, say) into the empty folder `destination` with the same
    /// checks, but without asking for a single top folder.
    public func unpackAll(_ archive: String, into destination: String) throws(ArchiveError) {
        let checked = try check(archive, topFolder: false)
        _ = try write(checked, into: destination)
    }

    /// The first pass alone: checks the whole archive, writing nothing, and reads the regular
    /// files named in `reading` (paths below the top folder, up to 1 MiB each), so a caller
    /// can learn what it needs, such as `pyproject.toml`, before the tree is written.
    public func check(_ archive: String, reading: Set<String> = [], topFolder: Bool = true) throws(ArchiveError) -> CheckedArchive {
        ArchiveLocale.ensureUTF8()
        if let missing = wca_load_error() { throw .notAnArchive(path: archive, reason: String(cString: missing)) }
        var info = stat()
        let archiveSize = stat(archive, &info) == 0 ? Int64(info.st_size) : 0
        let zip = SdistUnpacker.startsLikeZip(archive)
        if zip { try checkZipTypes(archive) }
        var checked = CheckedArchive(archive: archive, archiveSize: archiveSize, topFolder: topFolder, top: "")
        let top = try walk(archive, archiveSize: archiveSize, into: nil, topFolder: topFolder,
                           reading: reading, zip: zip, found: &checked)
        checked.top = topFolder ? top : ""
        return checked
    }

    /// The second pass: writes a checked archive into the empty folder `destination`, checking
    /// again as it goes, and returns the path of the top folder.
    public func write(_ checked: CheckedArchive, into destination: String) throws(ArchiveError) -> String {
        var unused = checked
        // Entries are joined to the destination's real path: no link above them either.
        return try walk(checked.archive, archiveSize: checked.archiveSize, into: PathText.resolvingSymlinks(destination),
                        topFolder: checked.topFolder, reading: [], zip: false, found: &unused)
    }

    /// Reads every entry of `archive`, checking each; with a `destination`, writes them under
    /// it. Returns the path of the top folder (under `destination`, or alone without one).
    /// Without one, `zip` says the data must be read to be checked.
    private func walk(_ archive: String, archiveSize: Int64, into destination: String?, topFolder: Bool,
                      reading: Set<String>, zip: Bool, found: inout CheckedArchive) throws(ArchiveError) -> String {
        guard let reader = wca_read_new() else { throw .notAnArchive(path: archive, reason: "out of memory") }
        defer { wca_read_free(reader) }
        wca_read_support_filter_all(reader)
        wca_read_support_format_tar(reader)
        wca_read_support_format_gnutar(reader)
        wca_read_support_format_zip_seekable(reader)
        guard wca_read_open_filename(reader, archive, 65536) == ARCHIVE_OK else {
            // A recognized compression that fails is damage, not a wrong kind of file.
            if SdistUnpacker.hasKnownMagic(archive) { throw .corrupt(path: archive, reason: ArchiveLocale.message(reader)) }
            throw .notAnArchive(path: archive, reason: ArchiveLocale.message(reader))
        }
        var top: Substring?
        var entries = 0
        var declared: Int64 = 0
        var actual: Int64 = 0
        var names = NameSet()
        var made = Set<String>()  // folders this pass has made, so each is made once
        var entry: OpaquePointer?
        while true {
            let status = wca_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK, let entry else {
                let reason = ArchiveLocale.message(reader)
                // Neither a compression nor an archive format recognized: not an archive at all.
                // Otherwise (say, gzip data cut short) it is a damaged archive.
                if entries == 0 && !SdistUnpacker.hasKnownMagic(archive) {
                    throw .notAnArchive(path: archive, reason: reason)
                }
                throw .corrupt(path: archive, reason: reason)
            }
            entries += 1
            guard entries <= limits.maxEntries else {
                throw .tooLarge(path: archive, reason: "more than \(limits.maxEntries) entries")
            }
            guard let rawName = wca_entry_pathname(entry), let name = String(validatingCString: rawName) else {
                throw .unsafeEntry(path: archive, entry: "?", reason: "the name is not valid UTF-8")
            }
            guard let parts = ArchivePath.safeComponents(name) else {
                throw .unsafeEntry(path: archive, entry: name, reason: "the path is absolute or climbs out with '..'")
            }
            if parts.isEmpty { continue }
            let fileType = wca_entry_filetype(entry)
            if topFolder {
                if parts.count == 1 && fileType != AE_IFDIR {
                    throw .noTopFolder(path: archive)
                }
                if let top, top != parts[0] { throw .noTopFolder(path: archive) }
            }
            top = parts[0]
            let rawLink = wca_entry_hardlink(entry)
            if let clash = names.insert(parts, isDirectory: fileType == AE_IFDIR && rawLink == nil) {
                throw .unsafeEntry(path: archive, entry: name, reason: clash)
            }

            var hardLinkTarget: String?
            if let rawLink {
                let link = String(cString: rawLink)
                guard let linkParts = ArchivePath.safeComponents(link), !linkParts.isEmpty,
                      !topFolder || (linkParts.first == parts[0] && linkParts.count > 1) else {
                    throw .unsafeEntry(path: archive, entry: name, reason: "a hard link to '\(link)' leaves the tree")
                }
                hardLinkTarget = linkParts.joined(separator: "/")
            } else {
                switch fileType {
                case AE_IFREG, AE_IFDIR: break
                case AE_IFLNK:
                    let target = wca_entry_symlink(entry).map { String(cString: $0) } ?? ""
                    guard ArchivePath.linkStaysInside(entry: parts, target: target) else {
                        throw .unsafeEntry(path: archive, entry: name, reason: "a symbolic link to '\(target)' leaves the tree")
                    }
                default:
                    throw .unsafeEntry(path: archive, entry: name, reason: "device files, FIFOs and sockets are not allowed")
                }
            }
            declared = ArchiveLimits.adding(wca_entry_size(entry), to: declared)
            if let excess = limits.excess(declared, archiveSize: archiveSize) {
                throw .tooLarge(path: archive, reason: excess)
            }
            guard let destination else {
                if !found.hasCompiledSources, let last = parts.last, CheckedArchive.compiled(String(last)) {
                    found.hasCompiledSources = true
                }
                // Below the top folder, as the caller names members.
                var wanted: String?
                if topFolder, parts.count > 1, case let inside = parts.dropFirst().joined(separator: "/"),
                   reading.contains(inside) {
                    found.present.insert(inside)
                    wanted = inside
                }
                // A zip's headers can lie about sizes, and skipping its data checks nothing (a
                // tar's sizes lay the stream out): its data is read and counted here, so that a
                // bomb or damage is bad input before anything is written.
                if fileType == AE_IFREG && rawLink == nil && (zip || wanted != nil) {
                    let data = try drain(reader, keeping: wanted != nil, archive: archive, archiveSize: archiveSize,
                                         total: &actual)
                    if let wanted, let data { found.contents[wanted] = data }
                }
                continue
            }

            // Written by us, not by libarchive's disk writer, which sets the process umask to 0
            // and back to read it: another thread starting pip or creating a file meanwhile
            // would get world-readable files. The first pass has ruled out every name that
            // could climb out, clash or pass through a link, so plain calls are safe here.
            let target = destination + "/" + parts.joined(separator: "/")
            // Never set-user-ID bits or ownership from an archive; the owner can always read.
            let mode = mode_t(wca_entry_perm(entry) & 0o755) | (fileType == AE_IFDIR ? 0o700 : 0o600)
            try makeParents(of: parts, under: destination, made: &made, archive: archive)
            if let hardLinkTarget {
                guard link(destination + "/" + hardLinkTarget, target) == 0 else {
                    throw writeFailure(errno, archive: archive, destination: destination, entry: name)
                }
            } else if fileType == AE_IFDIR {
                made.insert(target)
                if mkdir(target, mode) != 0 {
                    // Made already as the parent of an earlier entry: it takes this entry's mode.
                    var info = stat()
                    guard errno == EEXIST, lstat(target, &info) == 0, info.st_mode & S_IFMT == S_IFDIR,
                          chmod(target, mode & ~ProcessUmask.value) == 0 else {
                        throw writeFailure(errno, archive: archive, destination: destination, entry: name)
                    }
                }
            } else if fileType == AE_IFLNK {
                let linkText = wca_entry_symlink(entry).map { String(cString: $0) } ?? ""
                guard symlink(linkText, target) == 0 else {
                    throw writeFailure(errno, archive: archive, destination: destination, entry: name)
                }
            } else {
                let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
                guard fd >= 0 else { throw writeFailure(errno, archive: archive, destination: destination, entry: name) }
                defer { close(fd) }
                try copyData(from: reader, to: fd, archive: archive, archiveSize: archiveSize, total: &actual,
                             destination: destination, entry: name)
                // The archive's times, as other unpackers keep them (some backends stamp wheels with them).
                let mtime = timespec(tv_sec: wca_entry_mtime(entry), tv_nsec: 0)
                var times = [mtime, mtime]
                _ = futimens(fd, &times)
            }
        }
        if destination == nil { found.unpackedSize = declared }
        guard let top else {
            if !topFolder { return destination ?? "" }
            throw .noTopFolder(path: archive)
        }
        return (destination.map { $0 + "/" } ?? "") + top
    }

    /// Reads the current entry's data to its end, counting it against the limits; returns it
    /// when `keeping`, at most 1 MiB and without holes (else the written file is read).
    private func drain(_ reader: OpaquePointer, keeping: Bool, archive: String, archiveSize: Int64,
                       total: inout Int64) throws(ArchiveError) -> [UInt8]? {
        var data: [UInt8]? = keeping ? [] : nil
        try readBlocks(reader, archive: archive, archiveSize: archiveSize, total: &total) { block, offset throws(ArchiveError) in
            if let kept = data, offset == Int64(kept.count), kept.count + block.count <= 1 << 20 {
                data = kept + block
            } else {
                data = nil
            }
        }
        return data
    }

    /// Calls `body` with each block of the current entry's data and its offset, counting what
    /// is actually read against the limits (sizes in headers can lie).
    private func readBlocks(_ reader: OpaquePointer, archive: String, archiveSize: Int64, total: inout Int64,
                            _ body: (UnsafeRawBufferPointer, Int64) throws(ArchiveError) -> Void) throws(ArchiveError) {
        var buffer: UnsafeRawPointer?
        var length = 0
        var offset: Int64 = 0
        while true {
            let status = wca_read_data_block(reader, &buffer, &length, &offset)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK else { throw .corrupt(path: archive, reason: ArchiveLocale.message(reader)) }
            total += Int64(length)
            if let excess = limits.excess(total, archiveSize: archiveSize) { throw .tooLarge(path: archive, reason: excess) }
            try body(UnsafeRawBufferPointer(start: buffer, count: buffer == nil ? 0 : length), offset)
        }
    }

    /// libarchive's zip reader turns FIFOs and devices into regular files; the central
    /// directory still says what they are.
    private func checkZipTypes(_ archive: String) throws(ArchiveError) {
        let directory: ZipDirectory
        do { directory = try ZipDirectory(path: archive, maxEntries: limits.maxEntries) } catch {
            if case .tooLarge(let why) = error { throw .tooLarge(path: archive, reason: why) }
            if case .unsafePath(let name) = error {
                throw .unsafeEntry(path: archive, entry: name, reason: "the name is not valid UTF-8")
            }
            if case .duplicateEntry(let name) = error {
                throw .unsafeEntry(path: archive, entry: name, reason: NameSet.twice)
            }
            throw .corrupt(path: archive, reason: error.description)
        }
        for member in directory.members where ![0, AE_IFREG, AE_IFDIR, AE_IFLNK].contains(member.unixType) {
            throw .unsafeEntry(path: archive, entry: member.name, reason: "device files, FIFOs and sockets are not allowed")
        }
    }

    static let zipMagic = Array("PK\u{03}\u{04}".utf8)

    static func startsLikeZip(_ path: String) -> Bool {
        FileReader(path: path)?.read(at: 0, count: 4) == zipMagic
    }

    /// Whether the file starts like gzip, bzip2, xz, zstd, zip or tar data: if so, a read
    /// failure means damage rather than a file of another kind.
    static func hasKnownMagic(_ path: String) -> Bool {
        guard let handle = FileReader(path: path) else { return false }
        let head = handle.read(at: 0, count: 512) ?? []
        let prefixes: [[UInt8]] = [[0x1f, 0x8b], Array("BZh".utf8), [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
                                   [0x28, 0xb5, 0x2f, 0xfd], zipMagic]
        if prefixes.contains(where: { head.starts(with: $0) }) { return true }
        return head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
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

/// An archive that passed the first pass, and what that pass read.
public struct CheckedArchive: Sendable {
    public var archive: String
    var archiveSize: Int64
    var topFolder: Bool
    /// The top folder's name (empty without `topFolder`).
    public var top: String
    /// Which of the members asked for are in the archive, as any kind of entry.
    public var present: Set<String> = []
    /// The contents of those that are small regular files.
    public var contents: [String: [UInt8]] = [:]
    /// The sizes its headers declare, summed.
    public var unpackedSize: Int64 = 0
    /// Whether it holds sources that Python build backends compile (C, C++, Cython, Rust,
    /// Fortran) or a CMake or Meson project: a build that may write far more than the tree.
    public var hasCompiledSources = false

    static let compiledSuffixes = [".c", ".cc", ".cpp", ".cxx", ".pyx", ".rs", ".f", ".f90"]

    static func compiled(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "cmakelists.txt" || lower == "meson.build" || compiledSuffixes.contains { lower.hasSuffix($0) }
    }

    init(archive: String, archiveSize: Int64, topFolder: Bool, top: String) {
        self.archive = archive
        self.archiveSize = archiveSize
        self.topFolder = topFolder
        self.top = top
    }
}

/// libarchive converts names through the C locale; a UTF-8 locale keeps non-ASCII names intact.
enum ArchiveLocale {
    static let setUp: Void = {
        if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "en_US.UTF-8") }
    }()

    static func ensureUTF8() { _ = setUp }

    static func message(_ archive: OpaquePointer) -> String {
        wca_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
    }
}

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
