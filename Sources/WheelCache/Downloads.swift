import FoundationEssentials
import WheelFetch
import WheelModel
import WheelSystem

/// Downloads through the HTTP cache into a scratch folder, checking the SHA-256.
struct Downloads: Sendable {
    let http: HTTPCache

    /// Fetches `url` into `scratch/download-UUID/FILENAME` and returns the path.
    func fetch(_ url: String, filename: String, expected: [String], scratch: String) throws -> String {
        let filename = try URLFileName.safe(filename, from: url)
        let folder = scratch + "/download-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + filename
        _ = try http.fetch(url, to: path)
        let digest = try FileDigest.sha256(path)
        try Downloads.check(digest.hex, against: expected, what: url)
        return path
    }

    /// Throws unless `digest` is one of `expected` (or nothing is expected).
    static func check(_ digest: String, against expected: [String], what: String) throws(FetchError) {
        guard !expected.isEmpty, !expected.contains(digest) else { return }
        throw .hashMismatch(url: URLRedaction.redact(what), expected: expected, actual: digest)
    }
}
