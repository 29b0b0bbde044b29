import FoundationEssentials
import WheelFetch
import WheelModel
import WheelSystem

/// Downloads through the HTTP cache into a scratch folder, checking the SHA-256.
struct Downloads: Sendable {
    let http: HTTPCache

    /// A downloaded file, with the SHA-256 and size read while checking it (so no caller
    /// hashes it again).
    struct Fetched {
        var path: String
        var sha256: String
        var size: Int64
    }

    /// Fetches `url` into `scratch/download-UUID/FILENAME`; it must match one of `expected`
    /// (SHA-256) or `other` (`ALGORITHM:HEX`), when any is given.
    func fetch(_ url: String, filename: String, expected: [String], other: [String] = [], scratch: String) throws -> Fetched {
        let filename = try URLFileName.safe(filename, from: url)
        let folder = scratch + "/download-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + filename
        _ = try http.fetch(url, to: path)
        let digest = try FileDigest.sha256(path)
        try Downloads.check(path, sha256: digest.hex, against: expected, other: other, what: url)
        return Fetched(path: path, sha256: digest.hex, size: digest.size)
    }

    /// Throws unless the file matches one of the hashes given, of any algorithm, as pip
    /// accepts any listed hash (nothing given: any file).
    static func check(_ path: String, sha256: String, against expected: [String], other: [String] = [],
                      what: String) throws {
        if expected.isEmpty && other.isEmpty { return }
        if expected.contains(sha256) { return }
        guard !other.isEmpty else {
            throw FetchError.hashMismatch(url: URLRedaction.redact(what), expected: expected, actual: sha256)
        }
        var tried = expected.map { "sha256:" + $0 }
        for hash in other {
            let parts = hash.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let digest = try FileDigest.hex(path, algorithm: parts[0]) else { continue }
            if digest == parts[1] { return }
            tried.append(hash)
        }
        throw FetchError.digestMismatch(url: URLRedaction.redact(what), expected: tried)
    }
}
