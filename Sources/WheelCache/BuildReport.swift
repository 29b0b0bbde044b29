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

/// How a failure counts for the exit code.
public enum FailureKind: String, Codable, Sendable {
    /// Bad input or usage: exit 2.
    case input
    /// A build that ran and failed: exit 1.
    case build
}

/// The result for one source; field names are stable (`--json`).
public struct SourceResult: Codable, Sendable {
    public var source: String
    public var status: SourceStatus
    public var name: String?
    public var version: String?
    public var key: String?
    /// The wheel's path in the wheel folder.
    public var wheel: String?
    public var sha256: String?
    public var seconds: Double
    public var error: String?
    /// The kept build log, when a build failed.
    public var log: String?
    public var logTail: [String]?
    public var failure: FailureKind?
    /// For git sources: the commit built or looked up.
    public var commit: String?
    /// For git sources given a branch, tag, short id or no revision: what was resolved.
    public var resolvedFrom: String?

    public init(source: String, status: SourceStatus, seconds: Double) {
        self.source = source
        self.status = status
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case source, status, name, version, key, wheel, sha256, seconds, error, log, failure, commit
        case logTail = "log_tail"
        case resolvedFrom = "resolved_from"
    }
}

/// All results of a run, in input order.
public struct BuildReport: Codable, Sendable {
    public var results: [SourceResult]

    public init(results: [SourceResult]) {
        self.results = results
    }

    /// 0 when every source produced a wheel, 2 when any input was bad, else 1.
    public var exitCode: Int32 {
        if results.contains(where: { $0.failure == .input }) { return 2 }
        if results.contains(where: { $0.status == .failed }) { return 1 }
        return 0
    }
}
