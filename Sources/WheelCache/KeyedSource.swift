import WheelFetch
import WheelModel
import WheelStore
import WheelSystem

/// Stage 1's result: a source with its cache key, and where its wheel can come from. Made
/// by `key(_:)` (SourceKeying.swift), which never delivers or builds anything.
struct KeyedSource: Sendable {
    /// Where the wheel comes from on a miss.
    enum Origin: Sendable {
        /// A source tree to build.
        case build(BuildableSource)
        /// A wheel taken as it is from an index or a URL.
        case wheel(WheelDownload)
        /// Only in the cache: a pin whose `--hash` names a cached file (found, and verified,
        /// without asking the index; not looked up again).
        case cached(CachedEntry)
        /// Planning only: the key would need a download to know.
        case unknown(reason: String)
    }

    var origin: Origin
    /// Nil for local folders and for keys not known yet (planning, a wheel URL without a hash).
    var key: CacheKey?
    /// How the source is named in notices, log names and manifests (never with credentials).
    var label: String
    /// What the wheel must be: the project (and version) the user asked for.
    var expectation: Expectation
    /// Why the key is what it is (for `plan`).
    var why: String
    /// For git sources: the commit, and what it was resolved from (a branch, a tag, HEAD).
    var commit: String? = nil
    var resolvedFrom: String? = nil
}

/// A source tree that can be laid out and built (stage 3, `materialize`).
enum BuildableSource: Sendable {
    /// An sdist on disk: the user's, or a download in the scratch folder.
    case sdistFile(path: String)
    /// An sdist whose SHA-256 is known before downloading it (`#sha256=`, `--hash`, the
    /// index): downloaded only on a miss.
    case sdistURL(url: String, sha256: String)
    /// A local folder: built every time, never cached.
    case directory(path: String)
    case git(GitURL, commit: String, refs: GitRefs?)

    /// A name for a failed build's kept log.
    func logName(label: String) -> String {
        switch self {
        case .sdistFile, .sdistURL: return URLFileName.of(label)
        case .directory(let path): return PathText.lastComponent(path)
        case .git(let url, let commit, _):
            let repository = PathText.lastComponent(url.cleanRemote)
            return "\(repository)-\(commit.prefix(12))".replacing(":", with: "_")
        }
    }
}

/// A wheel to take as it is from an index or a URL.
struct WheelDownload: Sendable {
    var url: String
    var filename: String
    /// SHA-256 digests the download must match (empty: any), and digests of other
    /// algorithms as `ALGORITHM:HEX` (a URL's `#sha512=`), any one of which will do.
    var expected: [String]
    var other: [String] = []
}
