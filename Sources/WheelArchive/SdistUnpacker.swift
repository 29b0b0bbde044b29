import CArchive
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelModel

/// Unpacks sdist archives (tar in any compression, or zip) with libarchive, refusing entries
/// that would write outside the destination: absolute paths, `..`, links that leave the tree,
/// device files and FIFOs, and archives past the size bounds.
public struct SdistUnpacker: Sendable {
    /// Bounds that keep a hostile archive from filling the disk.
    public struct Limits: Sendable {
        public var maxEntries: Int
        public var maxTotalBytes: Int64
        public init(maxEntries: Int = 100_000, maxTotalBytes: Int64 = 2 << 30) {
            self.maxEntries = maxEntries
            self.maxTotalBytes = maxTotalBytes
        }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Unpacks `archive` into the empty folder `destination` and returns the path of the
    /// archive's single top folder.
    public func unpack(_ archive: String, into destination: String) throws(ArchiveError) -> String {
        ArchiveLocale.ensureUTF8()
        if let missing = wca_load_error() { throw .notAnArchive(path: archive, reason: String(cString: missing)) }
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
        guard let writer = wca_write_disk_new() else { throw .notAnArchive(path: archive, reason: "out of memory") }
        defer { wca_write_free(writer) }
        // libarchive's own guards as a second line behind the checks below.
        // (Absolute paths are ours: each entry is re-rooted under the destination below.)
        let flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS
        wca_write_disk_set_options(writer, flags)
        // The symlink guard inspects every component, so the destination must have none.
        let destination = PathText.resolvingSymlinks(destination)

        var top: Substring?
        var entries = 0
        var declared: Int64 = 0
        var actual: Int64 = 0
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
            if parts.count == 1 && fileType != AE_IFDIR {
                throw .noTopFolder(path: archive)
            }
            if let top, top != parts[0] { throw .noTopFolder(path: archive) }
            top = parts[0]

            if let rawLink = wca_entry_hardlink(entry) {
                let link = String(cString: rawLink)
                guard let linkParts = ArchivePath.safeComponents(link), linkParts.first == parts[0], linkParts.count > 1 else {
                    throw .unsafeEntry(path: archive, entry: name, reason: "a hard link to '\(link)' leaves the tree")
                }
                wca_entry_set_hardlink(entry, destination + "/" + linkParts.joined(separator: "/"))
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
            let size = wca_entry_size(entry)
            if size > 0 { declared += size }
            guard declared <= limits.maxTotalBytes else {
                throw .tooLarge(path: archive, reason: "more than \(limits.maxTotalBytes) bytes unpacked")
            }
            wca_entry_set_pathname(entry, destination + "/" + parts.joined(separator: "/"))
            // Never restore set-user-ID bits or ownership from an archive.
            wca_entry_set_perm(entry, wca_entry_perm(entry) & 0o755 | (fileType == AE_IFDIR ? 0o700 : 0o600))
            guard wca_write_header(writer, entry) == ARCHIVE_OK else {
                throw .unsafeEntry(path: archive, entry: name, reason: ArchiveLocale.message(writer))
            }
            if fileType == AE_IFREG && wca_entry_hardlink(entry) == nil {
                try copyData(from: reader, to: writer, archive: archive, total: &actual)
            }
            guard wca_write_finish_entry(writer) == ARCHIVE_OK else {
                throw .corrupt(path: archive, reason: ArchiveLocale.message(writer))
            }
        }
        guard let top else { throw .noTopFolder(path: archive) }
        return destination + "/" + top
    }

    /// Whether the file starts like gzip, bzip2, xz, zstd, zip or tar data: if so, a read
    /// failure means damage rather than a file of another kind.
    static func hasKnownMagic(_ path: String) -> Bool {
        guard let handle = FileReader(path: path) else { return false }
        let head = handle.read(at: 0, count: 512) ?? []
        let prefixes: [[UInt8]] = [[0x1f, 0x8b], Array("BZh".utf8), [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
                                   [0x28, 0xb5, 0x2f, 0xfd], Array("PK\u{03}\u{04}".utf8)]
        if prefixes.contains(where: { head.starts(with: $0) }) { return true }
        return head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
    }

    private func copyData(from reader: OpaquePointer, to writer: OpaquePointer, archive: String,
                          total: inout Int64) throws(ArchiveError) {
        var buffer: UnsafeRawPointer?
        var length = 0
        var offset: Int64 = 0
        while true {
            let status = wca_read_data_block(reader, &buffer, &length, &offset)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK else { throw .corrupt(path: archive, reason: ArchiveLocale.message(reader)) }
            total += Int64(length)
            // Sizes in headers can lie; count what is actually written.
            guard total <= limits.maxTotalBytes else {
                throw .tooLarge(path: archive, reason: "more than \(limits.maxTotalBytes) bytes unpacked")
            }
            guard wca_write_data_block(writer, buffer, length, offset) == ARCHIVE_OK else {
                throw .corrupt(path: archive, reason: ArchiveLocale.message(writer))
            }
        }
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
