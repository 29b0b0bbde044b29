import Foundation
import TestSupport
@testable import WheelCache
import WheelModel
import WheelStore
import WheelSystem

/// A pipeline over a cache in a temporary folder, and the fixture wheel `demo 1.0` to store.
struct PipelineSandbox {
    let tmp = TemporaryDirectory("pipeline")
    let wheel = TestFixtures.wheel("good")
    var cacheRoot: String { tmp.path + "/cache" }
    var wheels: String { tmp.path + "/wheels" }
    var store: CacheStore { CacheStore(root: cacheRoot) }

    /// A key of the shape downloaded wheels have (no interpreter needed).
    static let key = CacheKey(source: .wheel(sha256: String(repeating: "ab", count: 32)))

    func request(_ sources: [String] = [], noBinary: [String] = [], cache: Bool = true,
                 remote: RemoteSettings? = nil) throws -> BuildRequest {
        BuildRequest(sources: sources, wheelDirectory: wheels, cacheRoot: cache ? cacheRoot : nil,
                     noBinary: try PackageSelector(arguments: noBinary), python: TestFixtures.python, options: .init(),
                     index: .init(), environment: TestFixtures.hermeticEnvironment(), remote: remote)
    }

    func pipeline(noBinary: [String] = [], cache: Bool = true, remote: RemoteSettings? = nil) throws -> BuildPipeline {
        BuildPipeline(request: try request(noBinary: noBinary, cache: cache, remote: remote), notice: { _ in })
    }

    func manifest(key: CacheKey = PipelineSandbox.key) throws -> EntryManifest {
        let digest = try FileDigest.sha256(wheel)
        return EntryManifest(
            key: key.digest, keyInputs: key.inputs, name: "demo", version: "1.0",
            wheel: PathText.lastComponent(wheel), sha256: digest.hex, size: digest.size,
            created: "2020-01-01T00:00:00Z", source: "test", interpreter: "-", backend: "test",
            buildRequirements: [], buildSeconds: 0)
    }

    @discardableResult
    func publish(key: CacheKey = PipelineSandbox.key) throws -> CachedEntry {
        try store.publish(wheel: wheel, manifest: manifest(key: key))
    }

    /// Overwrites the stored wheel's bytes, so its SHA-256 no longer matches the manifest.
    func corrupt(_ entry: CachedEntry) {
        _ = FileManager.default.createFile(atPath: entry.wheelPath, contents: Data("not a wheel".utf8))
    }

    func keyed(_ origin: KeyedSource.Origin, key: CacheKey? = PipelineSandbox.key,
               expectation: Expectation = .none) -> KeyedSource {
        KeyedSource(origin: origin, key: key, label: "src", expectation: expectation, why: "test")
    }

    /// A transaction on `key` of this sandbox's store.
    func transaction(_ counters: RunCounters, expectation: Expectation = .none,
                     key: CacheKey = PipelineSandbox.key) -> CacheTransaction {
        CacheTransaction(store: store, key: key, expectation: expectation, source: "src", label: "src",
                         counters: counters, notice: { _ in })
    }

    /// A candidate of the fixture wheel, copied so a publish cannot disturb the original.
    func candidate(key: CacheKey = PipelineSandbox.key) throws -> Candidate {
        let copy = tmp.path + "/candidate-\(UUID().uuidString)/" + PathText.lastComponent(wheel)
        try FileManager.default.createDirectory(atPath: PathText.parent(copy), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: wheel, toPath: copy)
        return Candidate(wheel: copy, manifest: try manifest(key: key), status: .built, counter: \.builds)
    }
}

/// A short name of a decision, for comparing in tests.
func summary(_ decision: Decision) -> String {
    switch decision {
    case .hit(let entry): return "hit \(entry.manifest.name)"
    case .build(_, _, let replacing, let askRemote):
        let why: String
        switch replacing {
        case nil: why = "miss"
        case .forced: why = "forced"
        case .corrupt(let reason): why = "corrupt: \(reason)"
        }
        return "build (\(why))" + (askRemote ? " after the remote" : "")
    case .uncached: return "uncached"
    case .download(_, let corrupt): return "download" + (corrupt.map { " (corrupt: \($0))" } ?? "")
    case .unavailable(let reason): return "unavailable: \(reason)"
    }
}
