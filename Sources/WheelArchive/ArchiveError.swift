/// Errors from reading archives: unsafe or broken sdists, and wheels that fail validation.
public enum ArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or is not a tar or zip archive.
    case notAnArchive(path: String, reason: String)
    /// The archive is damaged (truncated, bad checksum) part-way through.
    case corrupt(path: String, reason: String)
    /// An entry would write outside the tree, or is a kind of file an sdist must not hold.
    case unsafeEntry(path: String, entry: String, reason: String)
    /// Entries are not all inside one top folder (`name-version/`), as sdists must be.
    case noTopFolder(path: String)
    /// The archive goes past a size or entry-count bound.
    case tooLarge(path: String, reason: String)
    /// A wheel failed validation.
    case invalidWheel(path: String, problem: WheelProblem)
    /// Unpacking failed for want of room or rights where it writes, not for the archive.
    case cannotWrite(path: String, folder: String, reason: String)

    public var description: String {
        switch self {
        case .notAnArchive(let path, let reason):
            return "\(path) is not a readable sdist archive (\(reason)); pass a .tar.gz or .zip sdist"
        case .corrupt(let path, let reason):
            return "\(path) is damaged: \(reason); download or build the sdist again"
        case .unsafeEntry(let path, let entry, let reason):
            return "\(path) holds an unsafe entry '\(entry)': \(reason); refusing to unpack it"
        case .noTopFolder(let path):
            return "\(path) does not keep its files in one top folder (name-version/) as an sdist must; rebuild it with a standard tool (python -m build --sdist)"
        case .tooLarge(let path, let reason):
            return "\(path) is too large to unpack: \(reason)"
        case .invalidWheel(let path, let problem):
            return "wheel \(path) is invalid: \(problem)"
        case .cannotWrite(let path, let folder, let reason):
            return "cannot unpack \(path) into \(folder): \(reason); free some space there, or choose another cache folder with --cache-dir"
        }
    }
}

/// What is wrong with a wheel (PEP 427, PEP 376 RECORD, core metadata).
public enum WheelProblem: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String)
    case badFileName(String)
    case unsafePath(String)
    case duplicateEntry(String)
    case headerMismatch(String)
    case crcMismatch(String)
    case noDistInfo
    case multipleDistInfo([String])
    case distInfoName(String)
    case missingFile(String)
    case invalidRecord(String)
    case notInRecord(String)
    case missingFromArchive(String)
    case unsupportedHash(path: String, algorithm: String)
    case hashMismatch(String)
    case sizeMismatch(String)
    case nameMismatch(fileName: String, metadata: String)
    case versionMismatch(fileName: String, metadata: String)
    case tagMismatch(fileName: [String], wheel: [String])
    case unsupportedWheelVersion(String)
    case tooLarge(String)
    case specialFile(String)

    public var description: String {
        switch self {
        case .unreadable(let why): return "not a readable zip archive (\(why))"
        case .badFileName(let name): return "'\(name)' is not a wheel file name (PEP 427)"
        case .unsafePath(let p): return "entry '\(p)' has an unsafe path"
        case .duplicateEntry(let p): return "entry '\(p)' appears twice"
        case .headerMismatch(let p): return "the local header and the central directory disagree about '\(p)'"
        case .crcMismatch(let p): return "entry '\(p)' fails its CRC-32 check"
        case .noDistInfo: return "it has no .dist-info folder"
        case .multipleDistInfo(let names): return "it has more than one .dist-info folder (\(names.joined(separator: ", ")))"
        case .distInfoName(let name): return ".dist-info folder '\(name)' does not match the file name"
        case .missingFile(let name): return "the .dist-info folder has no \(name)"
        case .invalidRecord(let why): return "RECORD is malformed (\(why))"
        case .notInRecord(let p): return "'\(p)' is not listed in RECORD"
        case .missingFromArchive(let p): return "RECORD lists '\(p)', which the wheel does not hold"
        case .unsupportedHash(let p, let a): return "RECORD uses hash '\(a)' for '\(p)' (sha256 or stronger needed)"
        case .hashMismatch(let p): return "'\(p)' does not match its RECORD hash"
        case .sizeMismatch(let p): return "'\(p)' does not match its RECORD size"
        case .nameMismatch(let f, let m): return "file name says project '\(f)' but METADATA says '\(m)'"
        case .versionMismatch(let f, let m): return "file name says version '\(f)' but METADATA says '\(m)'"
        case .tagMismatch(let f, let w):
            return "file name tags [\(f.joined(separator: ", "))] differ from WHEEL tags [\(w.joined(separator: ", "))]"
        case .unsupportedWheelVersion(let v): return "Wheel-Version '\(v)' is not supported (1.x expected)"
        case .tooLarge(let why): return "it is too large to accept: \(why)"
        case .specialFile(let p): return "entry '\(p)' is a symbolic link, device or FIFO, which a wheel must not hold"
        }
    }
}
