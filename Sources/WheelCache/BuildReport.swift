/// What happened to one source.
public enum SourceStatus: String, Codable, Sendable {
    /// Served from the local cache.
    case hit
    /// Built and stored in the cache.
    case built
    /// Built again over an existing entry (`--no-binary`, or a corrupt entry).
    case rebuilt
    /// Built but not cached (a local folder, or `--no-cache-dir`).
    case uncached
    /// A wheel fetched from an index (or a URL) and stored, not built.
    case downloaded
    /// Fetched from the shared remote cache, verified and stored locally.
    case remoteHit = "remote-hit"
    /// No wheel was produced.
    case failed
}

/// All results of a run, in input order.
public struct BuildReport: Codable, Sendable {
    public var results: [SourceResult]

    public init(results: [SourceResult]) {
        self.results = results
    }

    /// 0 when every source produced a wheel, 2 when any input was bad, else 1 (a build
    /// failed, or wheelcache itself could not do its part).
    public var exitCode: Int32 {
        if results.contains(where: { $0.failure == .input }) { return 2 }
        if results.contains(where: { $0.status == .failed }) { return 1 }
        return 0
    }
}
