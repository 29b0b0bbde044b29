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
        let walk = try checkEntries(archive, archiveSize: archiveSize, topFolder: topFolder, reading: reading, zip: zip,
                                    found: &checked)
        let top = try walk.topPath(prefix: "", fallback: "", topFolder: topFolder, archive: archive)
        checked.top = topFolder ? top : ""
        return checked
    }

    /// The second pass: writes a checked archive into the empty folder `destination`, checking
    /// again as it goes, and returns the path of the top folder.
    public func write(_ checked: CheckedArchive, into destination: String) throws(ArchiveError) -> String {
        // Entries are joined to the destination's real path: no link above them either.
        try writeEntries(checked, into: PathText.resolvingSymlinks(destination))
    }

    /// An entry that passed the checks both passes make.
    struct Entry {
        let header: OpaquePointer
        /// The name as the archive gives it, and its safe components.
        let name: String
        let parts: [Substring]
        let fileType: mode_t
        /// For a hard link: its target's path inside the tree.
        let hardLinkTarget: String?

        /// Whether the entry carries data of its own (a regular file, not a hard link).
        var hasData: Bool { fileType == AE_IFREG && hardLinkTarget == nil }
    }

    /// What a walk over every entry found.
    struct Walk {
        /// The first component of the last entry: with `topFolder`, the single top folder.
        var top: Substring?
        /// The sizes the headers declare, summed.
        var declared: Int64 = 0

        /// The top folder's path under `prefix`; without one, `fallback`, unless one is required.
        func topPath(prefix: String, fallback: String, topFolder: Bool, archive: String) throws(ArchiveError) -> String {
            guard let top else {
                if !topFolder { return fallback }
                throw .noTopFolder(path: archive)
            }
            return prefix + top
        }
    }

    /// The first pass: checks every entry (`forEachEntry`), writing nothing; keeps the members
    /// `reading` asks for and notes compiled sources. `zip` says the data must be read to be checked.
    private func checkEntries(_ archive: String, archiveSize: Int64, topFolder: Bool, reading: Set<String>, zip: Bool,
                              found: inout CheckedArchive) throws(ArchiveError) -> Walk {
        var actual: Int64 = 0
        let walk = try forEachEntry(archive, archiveSize: archiveSize, topFolder: topFolder) { reader, entry throws(ArchiveError) in
            if !found.hasCompiledSources, let last = entry.parts.last, CheckedArchive.compiled(String(last)) {
                found.hasCompiledSources = true
            }
            // Below the top folder, as the caller names members.
            var wanted: String?
            if topFolder, entry.parts.count > 1, case let inside = entry.parts.dropFirst().joined(separator: "/"),
               reading.contains(inside) {
                found.present.insert(inside)
                wanted = inside
            }
            // A zip's headers can lie about sizes, and skipping its data checks nothing (a tar's
            // sizes lay the stream out): its data is read and counted here, so that a bomb or
            // damage is bad input before anything is written.
            if entry.hasData && (zip || wanted != nil) {
                let data = try drain(reader, keeping: wanted != nil, archive: archive, archiveSize: archiveSize, total: &actual)
                if let wanted, let data { found.contents[wanted] = data }
            }
        }
        found.unpackedSize = walk.declared
        return walk
    }

    /// Opens `archive`, reads every entry, checks each (`checkedEntry`, then the limits on what
    /// the headers declare) and hands it to `body` with the reader, positioned at its data.
    func forEachEntry(_ archive: String, archiveSize: Int64, topFolder: Bool,
                      _ body: (OpaquePointer, Entry) throws(ArchiveError) -> Void) throws(ArchiveError) -> Walk {
        let reader = try openReader(archive)
        defer { wca_read_free(reader) }
        var walk = Walk()
        var entries = 0
        var names = NameSet()
        var header: OpaquePointer?
        while true {
            let status = wca_read_next_header(reader, &header)
            if status == ARCHIVE_EOF { return walk }
            guard status == ARCHIVE_OK, let header else {
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
            guard let entry = try checkedEntry(header, archive: archive, topFolder: topFolder, top: walk.top, names: &names) else {
                continue
            }
            walk.top = entry.parts[0]
            walk.declared = ArchiveLimits.adding(wca_entry_size(header), to: walk.declared)
            if let excess = limits.excess(walk.declared, archiveSize: archiveSize) {
                throw .tooLarge(path: archive, reason: excess)
            }
            try body(reader, entry)
        }
    }

    /// A libarchive reader of `archive`, tar (any compression) or zip, opened.
    private func openReader(_ archive: String) throws(ArchiveError) -> OpaquePointer {
        guard let reader = wca_read_new() else { throw .notAnArchive(path: archive, reason: "out of memory") }
        wca_read_support_filter_all(reader)
        wca_read_support_format_tar(reader)
        wca_read_support_format_gnutar(reader)
        wca_read_support_format_zip_seekable(reader)
        guard wca_read_open_filename(reader, archive, 65536) == ARCHIVE_OK else {
            let reason = ArchiveLocale.message(reader)
            wca_read_free(reader)
            // A recognized compression that fails is damage, not a wrong kind of file.
            if SdistUnpacker.hasKnownMagic(archive) { throw .corrupt(path: archive, reason: reason) }
            throw .notAnArchive(path: archive, reason: reason)
        }
        return reader
    }

    /// Checks one entry's name, place and kind: valid UTF-8, no absolute path or `..`, under the
    /// single top folder (when `topFolder`), no clash with an earlier name, links that stay in
    /// the tree, no devices. Returns nil for an entry that names nothing (`./`).
    private func checkedEntry(_ header: OpaquePointer, archive: String, topFolder: Bool, top: Substring?,
                       names: inout NameSet) throws(ArchiveError) -> Entry? {
        guard let rawName = wca_entry_pathname(header), let name = String(validatingCString: rawName) else {
            throw .unsafeEntry(path: archive, entry: "?", reason: "the name is not valid UTF-8")
        }
        guard let parts = ArchivePath.safeComponents(name) else {
            throw .unsafeEntry(path: archive, entry: name, reason: "the path is absolute or climbs out with '..'")
        }
        if parts.isEmpty { return nil }
        let fileType = wca_entry_filetype(header)
        if topFolder {
            if parts.count == 1 && fileType != AE_IFDIR { throw .noTopFolder(path: archive) }
            if let top, top != parts[0] { throw .noTopFolder(path: archive) }
        }
        let rawLink = wca_entry_hardlink(header)
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
                let target = wca_entry_symlink(header).map { String(cString: $0) } ?? ""
                guard ArchivePath.linkStaysInside(entry: parts, target: target) else {
                    throw .unsafeEntry(path: archive, entry: name, reason: "a symbolic link to '\(target)' leaves the tree")
                }
            default:
                throw .unsafeEntry(path: archive, entry: name, reason: "device files, FIFOs and sockets are not allowed")
            }
        }
        return Entry(header: header, name: name, parts: parts, fileType: fileType, hardLinkTarget: hardLinkTarget)
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
    func readBlocks(_ reader: OpaquePointer, archive: String, archiveSize: Int64, total: inout Int64,
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
}
