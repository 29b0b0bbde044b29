import FoundationEssentials
import WheelModel

/// What `wheelcache build` (or `plan`) was asked to do.
public struct BuildRequest: Sendable {
    public var sources: [String]
    /// `-r` files, read in order after `sources`.
    public var requirementFiles: [String]
    public var wheelDirectory: String
    /// The cache root, or nil for `--no-cache-dir`.
    public var cacheRoot: String?
    public var noBinary: PackageSelector
    public var python: String?
    public var options: BuildOptions
    public var index: IndexOptions
    public var environment: [String: String]
    /// Prune the cache to this many bytes after storing (`--max-size`, `WHEELCACHE_MAX_SIZE`).
    public var maxSize: Int64?
    /// Sources worked on at once (`-j`); nil for the number of CPUs.
    public var jobs: Int?
    /// The shared remote cache, if any.
    public var remote: RemoteSettings?
    /// `--only-binary`: pins of these projects are never built from an sdist.
    public var onlyBinary = PackageSelector()
    /// `--build-constraint` files (else `PIP_BUILD_CONSTRAINT`'s, as pip 25.3 reads them):
    /// they limit every build environment's versions and are part of its key.
    public var buildConstraints: [String] = []
    /// pip's `--require-hashes`: every requirements-file line must be hash-pinned.
    public var requireHashes = false
    /// Where to write a requirements file pinning the delivered wheels (`--requirements-out`).
    public var requirementsOut: String?
    /// Where to write a PEP 751 `pylock.toml` of the delivered wheels (`--pylock-out`).
    public var pylockOut: String?

    public init(sources: [String], requirementFiles: [String] = [], wheelDirectory: String, cacheRoot: String?,
                noBinary: PackageSelector, python: String?, options: BuildOptions, index: IndexOptions,
                environment: [String: String], maxSize: Int64? = nil, jobs: Int? = 1, remote: RemoteSettings? = nil) {
        self.remote = remote
        self.sources = sources
        self.requirementFiles = requirementFiles
        self.wheelDirectory = wheelDirectory
        self.cacheRoot = cacheRoot
        self.noBinary = noBinary
        self.python = python
        self.options = options
        self.index = index
        self.environment = environment
        self.maxSize = maxSize
        self.jobs = jobs.map { max(1, $0) }
    }
}

/// `--remote`, `--remote-endpoint`, `--remote-write` (or `WHEELCACHE_REMOTE*`).
public struct RemoteSettings: Sendable {
    public var url: String
    public var endpoint: String?
    public var write: Bool

    public init(url: String, endpoint: String?, write: Bool) {
        self.url = url
        self.endpoint = endpoint
        self.write = write
    }
}

/// Hears about sources as they start and finish (for progress output). Called from worker
/// threads.
public struct BuildProgress: Sendable {
    public var started: @Sendable (_ index: Int, _ label: String) -> Void
    public var finished: @Sendable (_ index: Int, _ result: SourceResult) -> Void

    public init(started: @escaping @Sendable (Int, String) -> Void, finished: @escaping @Sendable (Int, SourceResult) -> Void) {
        self.started = started
        self.finished = finished
    }
}
