import CArchive
import CZlib
import Crypto
import FoundationEssentials
import WheelModel
import WheelSystem

/// A wheel that passed validation, with what was learned reading it.
public struct ValidatedWheel: Equatable, Sendable {
    public var fileName: WheelFileName
    /// `Name` from METADATA, as written.
    public var name: String
    /// `Version` from METADATA.
    public var version: String
    /// `Tag` lines from WHEEL.
    public var tags: [String]
    /// Number of files in the archive.
    public var fileCount: Int
    /// `Requires-Dist` lines from METADATA (PEP 508 requirements, markers included).
    public var requiresDist: [String] = []
    /// `Requires-Python` from METADATA.
    public var requiresPython: String?
    /// `Provides-Extra` lines from METADATA.
    public var providesExtra: [String] = []
    /// The `.dist-info` folder's name.
    public var distInfo: String = ""
}

/// Checks a wheel before it is stored or delivered: a readable zip whose every entry reads
/// with `ARCHIVE_OK`, local headers that agree with the central directory, exactly one
/// `.dist-info` with METADATA, WHEEL and RECORD, a RECORD that lists every file (and only
/// files that exist) with matching SHA-256 and size, and a file name that agrees with
/// METADATA and WHEEL (PEP 427).
public struct WheelValidator: Sendable {
    public var limits: ArchiveLimits

    public init(limits: ArchiveLimits = .wheel) {
        self.limits = limits
    }

    /// METADATA, WHEEL and RECORD are read into memory; past this they are refused.
    static let maxMetadataBytes: UInt64 = 64 << 20

    /// Validates the wheel at `path`; its file name is the last path component.
    public func validate(_ path: String) throws(ArchiveError) -> ValidatedWheel {
        do {
            return try check(path)
        } catch {
            throw .invalidWheel(path: path, problem: error)
        }
    }

    private struct Digests {
        var sha256: [UInt8]
        var sha384: [UInt8]?
        var sha512: [UInt8]?
        var size: Int
    }

    private func check(_ path: String) throws(WheelProblem) -> ValidatedWheel {
        let baseName = PathText.lastComponent(path)
        let fileName: WheelFileName
        do { fileName = try WheelFileName(baseName) } catch { throw .badFileName(baseName) }
        let crcByName = try checkDirectory(path)
        let (digests, small) = try readAll(path, crcByName: crcByName)

        let distInfos = Set(digests.keys.compactMap { name -> String? in
            let top = name.split(separator: "/").first.map(String.init) ?? name
            return top.hasSuffix(".dist-info") && name.contains("/") ? top : nil
        }).sorted()
        guard let distInfo = distInfos.first else { throw .noDistInfo }
        guard distInfos.count == 1 else { throw .multipleDistInfo(distInfos) }
        func text(_ file: String) throws(WheelProblem) -> String {
            guard let bytes = small["\(distInfo)/\(file)"] else { throw .missingFile(file) }
            return String(decoding: bytes, as: UTF8.self)
        }
        let metadata = HeaderFields(try text("METADATA"))
        let wheel = HeaderFields(try text("WHEEL"))
        let (name, version, tags) = try checkNames(fileName, distInfo: distInfo, metadata: metadata, wheel: wheel)
        let recordText = try text("RECORD")
        let record: [RecordEntry]
        do { record = try Record.parse(recordText) } catch { throw .invalidRecord(error.description) }
        if try checkRecord(record, digests: digests, distInfo: distInfo) { try checkStrongerHashes(path, record: record) }
        return ValidatedWheel(fileName: fileName, name: name, version: version, tags: tags, fileCount: digests.count,
                              requiresDist: metadata.all("Requires-Dist"), requiresPython: metadata["Requires-Python"],
                              providesExtra: metadata.all("Provides-Extra"), distInfo: distInfo)
    }

    /// The central directory, checked before anything is decompressed, so a bomb or a flood
    /// of entries is refused first; returns each member's CRC-32.
    private func checkDirectory(_ path: String) throws(WheelProblem) -> [String: UInt32] {
        let directory = try ZipDirectory(path: path, maxEntries: limits.maxEntries)
        var declared: Int64 = 0
        for member in directory.members {
            if ArchivePath.safeComponents(member.name) == nil || member.name.contains("\\") { throw .unsafePath(member.name) }
            if member.unixType != 0 && member.unixType != AE_IFREG && member.unixType != AE_IFDIR {
                throw .specialFile(member.name)
            }
            if WheelValidator.isMetadata(member.name) && member.uncompressedSize > WheelValidator.maxMetadataBytes {
                throw .tooLarge("\(member.name) is over \(WheelValidator.maxMetadataBytes >> 20) MiB")
            }
            declared = ArchiveLimits.adding(Int64(clamping: member.uncompressedSize), to: declared)
        }
        if let excess = limits.excess(declared, archiveSize: directory.fileSize) { throw .tooLarge(excess) }
        return Dictionary(directory.members.map { ($0.name, $0.crc32) }, uniquingKeysWith: { a, _ in a })
    }

    private static func isMetadata(_ name: String) -> Bool {
        name.hasSuffix(".dist-info/METADATA") || name.hasSuffix(".dist-info/WHEEL") || name.hasSuffix(".dist-info/RECORD")
    }

    /// One pass reads every byte: libarchive's CRC checks, our CRC check against the central
    /// directory, SHA-256 for RECORD, and the small metadata files kept in memory.
    private func readAll(_ path: String, crcByName: [String: UInt32]) throws(WheelProblem)
        -> (digests: [String: Digests], small: [String: [UInt8]]) {
        var digests: [String: Digests] = [:]
        var small: [String: [UInt8]] = [:]
        try readEntries(path) { (name: String, read: (inout [UInt8]) -> Bool) throws(WheelProblem) in
            var sha = SHA256()
            var crc = crc32(0, nil, 0)
            var size = 0
            var keep: [UInt8] = []
            let keepIt = WheelValidator.isMetadata(name)
            var chunk: [UInt8] = []
            while read(&chunk) {
                sha.update(data: chunk)
                crc = chunk.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
                size += chunk.count
                if keepIt { keep += chunk }
            }
            if let expected = crcByName[name], UInt32(truncatingIfNeeded: crc) != expected { throw .crcMismatch(name) }
            guard digests[name] == nil else { throw .duplicateEntry(name) }
            digests[name] = Digests(sha256: Array(sha.finalize()), size: size)
            if keepIt { small[name] = keep }
        }
        return (digests, small)
    }

    /// The file name, METADATA, the `.dist-info` folder's name and WHEEL must agree.
    private func checkNames(_ fileName: WheelFileName, distInfo: String, metadata: HeaderFields,
                            wheel: HeaderFields) throws(WheelProblem) -> (name: String, version: String, tags: [String]) {
        guard let name = metadata["Name"], let version = metadata["Version"] else { throw .missingFile("Name and Version in METADATA") }
        guard ProjectName.normalize(name) == fileName.normalizedName else {
            throw .nameMismatch(fileName: fileName.distribution, metadata: name)
        }
        guard VersionText.canonical(version) == VersionText.canonical(fileName.version) else {
            throw .versionMismatch(fileName: fileName.version, metadata: version)
        }
        let distStem = String(distInfo.dropLast(".dist-info".count))
        let distParts = distStem.split(separator: "-", maxSplits: 1).map(String.init)
        guard distParts.count == 2, ProjectName.normalize(distParts[0]) == fileName.normalizedName,
              VersionText.canonical(distParts[1]) == VersionText.canonical(fileName.version) else {
            throw .distInfoName(distInfo)
        }
        let wheelVersion = wheel["Wheel-Version"] ?? ""
        guard wheelVersion.split(separator: ".").first == "1" else { throw .unsupportedWheelVersion(wheelVersion) }
        let tags = wheel.all("Tag")
        guard Set(tags) == fileName.expandedTags else {
            throw .tagMismatch(fileName: fileName.expandedTags.sorted(), wheel: tags.sorted())
        }
        return (name, version, tags)
    }

    /// Every RECORD row names a file with its size and SHA-256, and every file has a row;
    /// returns whether rows use sha384 or sha512 (checked by a second pass).
    private func checkRecord(_ record: [RecordEntry], digests: [String: Digests],
                             distInfo: String) throws(WheelProblem) -> Bool {
        let unhashed: Set<String> = ["\(distInfo)/RECORD", "\(distInfo)/RECORD.jws", "\(distInfo)/RECORD.p7s"]
        var listed = Set<String>()
        var strongerHashes = false
        for row in record {
            guard listed.insert(row.path).inserted else { throw .invalidRecord("'\(row.path)' is listed twice") }
            guard let found = digests[row.path] else { throw .missingFromArchive(row.path) }
            if let size = row.size, size != found.size { throw .sizeMismatch(row.path) }
            guard let algorithm = row.hashAlgorithm, let digest = row.digest else {
                if unhashed.contains(row.path) { continue }
                throw .unsupportedHash(path: row.path, algorithm: "none")
            }
            switch algorithm {
            case "sha256": if digest != found.sha256 { throw .hashMismatch(row.path) }
            case "sha384", "sha512": strongerHashes = true
            default: throw .unsupportedHash(path: row.path, algorithm: algorithm)
            }
        }
        for file in digests.keys where !listed.contains(file) { throw .notInRecord(file) }
        return strongerHashes
    }

    /// A second pass for the rare RECORD that uses sha384 or sha512.
    private func checkStrongerHashes(_ path: String, record: [RecordEntry]) throws(WheelProblem) {
        let wanted = Dictionary(record.compactMap { row -> (String, RecordEntry)? in
            row.hashAlgorithm == "sha384" || row.hashAlgorithm == "sha512" ? (row.path, row) : nil
        }, uniquingKeysWith: { a, _ in a })
        try readEntries(path) { (name: String, read: (inout [UInt8]) -> Bool) throws(WheelProblem) in
            guard let row = wanted[name] else { return }
            var sha384 = SHA384()
            var sha512 = SHA512()
            var chunk: [UInt8] = []
            while read(&chunk) {
                if row.hashAlgorithm == "sha384" { sha384.update(data: chunk) } else { sha512.update(data: chunk) }
            }
            let digest = row.hashAlgorithm == "sha384" ? Array(sha384.finalize()) : Array(sha512.finalize())
            if digest != row.digest { throw .hashMismatch(name) }
        }
    }

    /// Calls `body` for each regular file with a function that fills a chunk and returns false
    /// at the end of the entry. Anything but `ARCHIVE_OK` (a CRC failure is `ARCHIVE_WARN`) is
    /// an error.
    private func readEntries(
        _ path: String, _ body: (String, (inout [UInt8]) -> Bool) throws(WheelProblem) -> Void
    ) throws(WheelProblem) {
        ArchiveLocale.ensureUTF8()
        if let missing = wca_load_error() { throw .unreadable(String(cString: missing)) }
        guard let reader = wca_read_new() else { throw .unreadable("out of memory") }
        defer { wca_read_free(reader) }
        // Only the seekable zip reader: the streaming one accepts a wheel whose end-of-central-
        // directory record was cut off.
        wca_read_support_format_zip_seekable(reader)
        guard wca_read_open_filename(reader, path, 65536) == ARCHIVE_OK else {
            throw .unreadable(ArchiveLocale.message(reader))
        }
        var entry: OpaquePointer?
        while true {
            let status = wca_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK, let entry else { throw .unreadable(ArchiveLocale.message(reader)) }
            guard let raw = wca_entry_pathname(entry), let name = String(validatingCString: raw) else {
                throw .unsafePath("<non-UTF-8 name>")
            }
            let type = wca_entry_filetype(entry)
            if type == AE_IFDIR { continue }
            guard type == AE_IFREG else { throw .unsafePath(name) }
            var failure: WheelProblem?
            try body(name) { chunk in
                guard failure == nil else { return false }
                chunk.removeAll(keepingCapacity: true)
                var buffer: UnsafeRawPointer?
                var length = 0
                var offset: Int64 = 0
                let status = wca_read_data_block(reader, &buffer, &length, &offset)
                if status == ARCHIVE_EOF { return false }
                guard status == ARCHIVE_OK else {
                    failure = .unreadable("'\(name)': \(ArchiveLocale.message(reader))")
                    return false
                }
                if let buffer, length > 0 {
                    chunk.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
                }
                return true
            }
            if let failure { throw failure }
        }
    }
}
