import Foundation
import Testing
import TestSupport
import WheelModel
import WheelStore
import WheelSystem

@Suite("CacheAdmin")
struct CacheAdminTests {
    @Test("open refuses a missing folder and a folder without wheelcache's CACHEDIR.TAG, with the exact errors, touching nothing")
    func openRefuses() throws {
        let tmp = TemporaryDirectory("admin")
        let missing = tmp.path + "/missing"
        #expect(throws: StoreError.noCache(missing)) { try CacheAdmin.open(root: missing) }
        #expect(StoreError.noCache(missing).description == "\(missing) does not exist or is not a folder; nothing to do")

        let foreign = tmp.path + "/not-a-cache"
        try FileManager.default.createDirectory(atPath: foreign + "/sub", withIntermediateDirectories: true)
        try "keep me".write(toFile: foreign + "/sub/file.txt", atomically: true, encoding: .utf8)
        #expect(throws: StoreError.notWheelcacheCache(foreign)) { try CacheAdmin.open(root: foreign) }
        // Another tool's tag is not ours either.
        try "Signature: 8a477f597d28d172789f06886806bc55\n# another tool's cache\n"
            .write(toFile: foreign + "/CACHEDIR.TAG", atomically: true, encoding: .utf8)
        #expect(throws: StoreError.notWheelcacheCache(foreign)) { try CacheAdmin.open(root: foreign) }
        #expect(StoreError.notWheelcacheCache(foreign).description
                == "\(foreign) is not a wheelcache cache (it has no CACHEDIR.TAG written by wheelcache); refusing to touch it")
        #expect(TemporaryDirectory.listing(foreign) == ["CACHEDIR.TAG", "sub", "sub/file.txt"])
    }

    @Test("every bucket has its title, as cache info prints it")
    func bucketTitles() {
        #expect(CacheBucket.allCases.map(\.title) == [
            "Wheels", "HTTP downloads", "Git mirrors", "Build environments", "Interpreter facts", "Failed build logs", "Staging",
        ])
    }

    @Test("info reports every bucket, empty ones too, then the other items; list, remove and purge work on an opened cache")
    func reports() throws {
        let box = StoreSandbox()
        let manifest = try box.manifest(for: box.wheel)
        _ = try box.store.publish(wheel: box.wheel, manifest: manifest)
        let admin = try CacheAdmin.open(root: box.store.root)

        let info = admin.info()
        #expect(info.entries == 1)
        #expect(info.buckets.prefix(CacheBucket.allCases.count).map(\.kind) == CacheBucket.allCases)
        #expect(info.buckets.dropFirst(CacheBucket.allCases.count).allSatisfy { $0.kind == nil })
        #expect(info.totalBytes == info.buckets.reduce(0) { $0 + $1.bytes })

        let name = try #require(admin.list(matching: nil).entries.first?.name)
        #expect(admin.list(matching: name + "-*").entries.count == 1)
        #expect(admin.list(matching: "nothing").entries.isEmpty)
        let removed = try admin.remove(matching: name)
        #expect(removed.removed.map(\.key) == [box.key])
        #expect(removed.freedBytes > 0)
        #expect(admin.list(matching: nil).entries.isEmpty)

        _ = try box.store.publish(wheel: box.wheel, manifest: manifest)
        let purged = try admin.purge()
        #expect(purged.files >= 2, "the wheel and its manifest")
        #expect(TemporaryDirectory.listing(box.store.root).allSatisfy { ["CACHEDIR.TAG", ".lock", "stats.json"].contains($0) })
    }

    @Test("an operation that removes waits for the cache lock a build holds, calling `waiting` first")
    func waitsForTheLock() throws {
        let box = StoreSandbox()
        try box.store.prepare()
        let build = try box.store.lockCache(.shared)
        let waited = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let admin = try CacheAdmin.open(root: box.store.root, waiting: { waited.signal() })
        Thread.detachNewThread {
            _ = try? admin.purge()
            done.signal()
        }
        #expect(waited.wait(timeout: .now() + 10) == .success)
        #expect(done.wait(timeout: .now() + 0.2) == .timedOut, "purge went ahead while a build held the lock")
        build.unlock()
        #expect(done.wait(timeout: .now() + 10) == .success)
    }
}
