import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelStore
import WheelSystem

/// A private scratch folder made on first use: a staging folder of the cache, or a
/// temporary folder without a cache. Downloads and abbreviated-commit fetches happen there.
final class Scratch {
    private let store: CacheStore?
    private var staging: StagingDirectory?
    private var temporary: String?

    init(store: CacheStore?) { self.store = store }

    var path: String {
        get throws {
            if let staging { return staging.path }
            if let temporary { return temporary }
            if let store {
                let made = try store.makeStaging()
                staging = made
                return made.path
            }
            let work = PathText.temporaryDirectory() + "wheelcache-work-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            temporary = work
            return work
        }
    }

    func remove() {
        staging?.remove()
        if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
    }
}
