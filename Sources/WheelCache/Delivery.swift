import WheelModel
import WheelStore

// Stage 6: a wheel -> the wheel folder (hard link, else copy; never half-written).

/// What a source's result says once its wheel is in the wheel folder.
struct Delivered: Sendable {
    var status: SourceStatus
    var name: String
    var version: String
    var sha256: String
    /// The wheel's path in the wheel folder.
    var wheel: String
    /// The key the wheel is stored under, when it was learned only now (a downloaded wheel).
    var key: String?
}

extension BuildPipeline {
    /// Delivers a cached entry after checking it is what was asked; a hit counts as one.
    func deliver(_ entry: CachedEntry, status: SourceStatus, expectation: Expectation, source: String) throws -> Delivered {
        try expectation.check(name: entry.manifest.name, version: entry.manifest.version, source: source)
        if status == .hit { counters.bump(\.hits) }
        return Delivered(status: status, name: entry.manifest.name, version: entry.manifest.version,
                         sha256: entry.manifest.sha256,
                         wheel: try CacheStore.deliver(entry.wheelPath, to: request.wheelDirectory), key: entry.manifest.key)
    }

    /// Delivers a wheel that is not stored (`--no-cache-dir`, a local folder).
    func deliverUnstored(_ wheel: String, name: String, version: String, sha256: String, status: SourceStatus,
                         key: String? = nil) throws -> Delivered {
        Delivered(status: status, name: name, version: version, sha256: sha256,
                  wheel: try CacheStore.deliver(wheel, to: request.wheelDirectory), key: key)
    }
}
