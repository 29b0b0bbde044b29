import WheelModel
import WheelStore

// Stage 2: keyed source -> decision. The one function `build` acts on and `plan` reports.

/// What to do with a keyed source.
enum Decision: Sendable {
    /// Serve the cached entry.
    case hit(CachedEntry)
    /// Build and store: on a miss, over a corrupt entry, or over a good one (`--no-binary`).
    /// `askRemote`: the shared remote cache is asked first.
    case build(BuildableSource, key: CacheKey, replacing: Replacement?, askRemote: Bool)
    /// Build without storing: a local folder, or any source under `--no-cache-dir`.
    case uncached(BuildableSource)
    /// Download a wheel and store it under its SHA-256 (only deliver it without a cache).
    case download(WheelDownload, corrupt: String?)
    /// Nothing can produce the wheel: the key is not known without a download (`plan`).
    case unavailable(reason: String)

    /// Why a build replaces an entry.
    enum Replacement: Equatable, Sendable {
        case corrupt(String)
        /// `--no-binary` names the project: build again although the entry is good.
        case forced
    }
}

extension BuildPipeline {
    /// Looks the key up without counting a use (a hit is counted when it is served).
    func decide(_ keyed: KeyedSource) -> Decision {
        let found = { keyed.key.flatMap { key in self.store.map { $0.check(key.digest, at: $0.entryPath(key.digest)) } } }
        switch keyed.origin {
        case .unknown(let reason):
            return .unavailable(reason: reason)
        case .cached(let entry):
            // Keying verified it a moment ago: a lock of hash pins hashes each wheel once.
            return .hit(entry)
        case .wheel(let wheel):
            switch found() {
            case .hit(let entry): return .hit(entry)
            case .corrupt(_, let reason): return .download(wheel, corrupt: reason)
            case .miss, nil: return .download(wheel, corrupt: nil)
            }
        case .build(let source):
            guard let key = keyed.key, let found = found() else { return .uncached(source) }
            // `--no-binary` asks for a build: the remote is a cache too. A project whose name is
            // not known yet is checked against the record's name (`fetchRemote`).
            let askRemote = remoteCache != nil && !request.noBinary.all
                && !(keyed.expectation.name.map(request.noBinary.matches) ?? false)
            switch found {
            case .hit(let entry):
                guard request.noBinary.matches(entry.manifest.name) else { return .hit(entry) }
                return .build(source, key: key, replacing: .forced, askRemote: false)
            case .corrupt(_, let reason):
                return .build(source, key: key, replacing: .corrupt(reason), askRemote: askRemote)
            case .miss:
                return .build(source, key: key, replacing: nil, askRemote: askRemote)
            }
        }
    }
}
