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
    /// Install manifests (`--requirements-out`, `--pylock-out`) not written, and why.
    public var unwritten: [String] = []

    public init(results: [SourceResult]) {
        self.results = results
    }

    /// 0 when every source produced a wheel (and every manifest asked for was written), 2
    /// when any input was bad, else 1 (a build failed, or wheelcache itself could not do its
    /// part).
    public var exitCode: Int32 {
        if results.contains(where: { $0.failure == .input }) { return 2 }
        if results.contains(where: { $0.status == .failed }) || !unwritten.isEmpty { return 1 }
        return 0
    }

    enum CodingKeys: String, CodingKey {
        case results, unwritten
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(results, forKey: .results)
        // Only when a manifest was asked for and not written: the usual report is unchanged.
        if !unwritten.isEmpty { try container.encode(unwritten, forKey: .unwritten) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        results = try container.decode([SourceResult].self, forKey: .results)
        unwritten = try container.decodeIfPresent([String].self, forKey: .unwritten) ?? []
    }
}
