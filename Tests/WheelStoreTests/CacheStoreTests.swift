import Foundation
import Testing
import TestSupport
import WheelModel
import WheelStore
import WheelSystem

/// A cache in a temporary folder with one real, validated fixture wheel to store.
struct StoreSandbox {
    let tmp = TemporaryDirectory("store")
    var store: CacheStore { CacheStore(root: tmp.path + "/cache") }
    let wheel = TestFixtures.wheel("good")
    let key: String

    init(sha: String = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") {
        let interpreter = Interpreter(
            executable: "/usr/bin/python3", implementation: "cpython", version: "3.11.7", pythonVersion: "3.11",
            pythonTag: "cp311", abiTag: "cp311", platformTag: "linux_x86_64", freeThreaded: false, pipVersion: "24.0")
        key = CacheKey(source: .sdist(sha256: sha), options: BuildOptions(), interpreter: interpreter).digest
    }

    func manifest(for wheel: String, seconds: Double = 1.5) throws -> EntryManifest {
        let digest = try FileDigest.sha256(wheel)
        return EntryManifest(
            key: key, keyInputs: .object(["test": .bool(true)]), name: "demo", version: "1.0",
            wheel: (wheel as NSString).lastPathComponent, sha256: digest.hex, size: digest.size,
            created: "2020-01-01T00:00:00Z", source: "test", interpreter: "/usr/bin/python3",
            backend: "fakebackend", buildRequirements: [], buildSeconds: seconds)
    }

    /// Staging folders and lock files left under tmp/.
    var stagingLeft: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store.path(.tmp))) ?? []).sorted()
    }
}

@Suite("CacheStore")
struct CacheStoreTests {
    @Test("a manifest written by publish's encoder reads back through the hit path's parser unchanged")
    func manifestReadsBack() throws {
        let box = StoreSandbox()
        let manifest = try box.manifest(for: box.wheel, seconds: 0.125)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        #expect(JSONValue.parse(try encoder.encode(manifest)).flatMap(EntryManifest.init(json:)) == manifest)
        var text = String(decoding: try encoder.encode(manifest), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"size\" : ", with: "\"size\" : \"")
        #expect(JSONValue.parse(Array(text.utf8)).flatMap(EntryManifest.init(json:)) == nil)
    }

    @Test("statistics keep their counters through stats.json, and a file missing newer counters reads them as zero")
    func statisticsReadBack() throws {
        let box = StoreSandbox()
        try box.store.prepare()
        var delta = CacheStatistics(since: "")
        delta.hits = 3
        delta.remoteErrors = 2
        box.store.record(delta)
        box.store.record(delta)
        let read = box.store.statistics()
        #expect(read.hits == 6 && read.remoteErrors == 4 && read.misses == 0)
        try #"{"since":"2020-01-01T00:00:00Z","hits":5}"#.write(toFile: box.store.root + "/stats.json", atomically: true, encoding: .utf8)
        #expect(box.store.statistics().hits == 5)
        #expect(box.store.statistics().since == "2020-01-01T00:00:00Z")
    }

    @Test("prepare creates the root with a CACHEDIR.TAG that backup tools recognize")
    func prepareWritesTag() throws {
        let box = StoreSandbox()
        try box.store.prepare()
        let tag = try String(contentsOfFile: box.store.root + "/CACHEDIR.TAG", encoding: .utf8)
        #expect(tag.hasPrefix("Signature: 8a477f597d28d172789f06886806bc55"))
        try box.store.prepare()
        #expect(try String(contentsOfFile: box.store.root + "/CACHEDIR.TAG", encoding: .utf8) == tag)
    }

    @Test("prepare refuses a root that is a file")
    func prepareOnFile() throws {
        let box = StoreSandbox()
        _ = FileManager.default.createFile(atPath: box.store.root, contents: Data("x".utf8))
        #expect(throws: StoreError.notADirectory(box.store.root)) { try box.store.prepare() }
    }

    @Test("entries fan out by the key's first two pairs of characters")
    func entryPath() {
        let store = CacheStore(root: "/c")
        #expect(store.entryPath("abcdef0123") == "/c/wheels-v1/ab/cd/abcdef0123")
    }

    @Test("a key never published is a miss")
    func miss() {
        let box = StoreSandbox()
        #expect(box.store.lookup(box.key) == .miss)
    }

    @Test("publish then lookup is a hit with the same manifest and the same wheel bytes")
    func publishThenHit() throws {
        let box = StoreSandbox()
        let manifest = try box.manifest(for: box.wheel)
        let published = try box.store.publish(wheel: box.wheel, manifest: manifest)
        #expect(published.path == box.store.entryPath(box.key))
        guard case .hit(let entry) = box.store.lookup(box.key) else {
            Issue.record("expected a hit")
            return
        }
        #expect(entry == published)
        #expect(entry.manifest == manifest)
        #expect(entry.wheelPath == box.store.entryPath(box.key) + "/demo-1.0-py3-none-any.whl")
        #expect(FileManager.default.contentsEqual(atPath: entry.wheelPath, andPath: box.wheel))
        #expect(box.stagingLeft == [])
    }

    @Test("publish copies extra files such as the build log into the entry")
    func extraFiles() throws {
        let box = StoreSandbox()
        let log = box.tmp.path + "/build.log"
        try Data("log text\n".utf8).write(to: URL(fileURLWithPath: log))
        let entry = try box.store.publish(wheel: box.wheel, manifest: try box.manifest(for: box.wheel), extraFiles: [log])
        #expect(FileManager.default.contents(atPath: entry.path + "/build.log") == Data("log text\n".utf8))
    }

    @Test("a flipped byte in the stored wheel makes the entry corrupt")
    func flippedByte() throws {
        let box = StoreSandbox()
        let entry = try box.store.publish(wheel: box.wheel, manifest: try box.manifest(for: box.wheel))
        var bytes = try #require(FileManager.default.contents(atPath: entry.wheelPath))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: entry.wheelPath))
        #expect(box.store.lookup(box.key) == .corrupt(
            key: box.key, reason: "its wheel demo-1.0-py3-none-any.whl does not match the SHA-256 in its manifest"))
    }

    @Test("a truncated stored wheel makes the entry corrupt")
    func truncated() throws {
        let box = StoreSandbox()
        let entry = try box.store.publish(wheel: box.wheel, manifest: try box.manifest(for: box.wheel))
        let bytes = try #require(FileManager.default.contents(atPath: entry.wheelPath))
        try bytes.prefix(bytes.count - 30).write(to: URL(fileURLWithPath: entry.wheelPath))
        #expect(box.store.lookup(box.key) == .corrupt(
            key: box.key, reason: "its wheel demo-1.0-py3-none-any.whl does not match the SHA-256 in its manifest"))
    }

    @Test("a missing stored wheel or an unreadable manifest makes the entry corrupt")
    func missingWheelOrManifest() throws {
        let box = StoreSandbox()
        let entry = try box.store.publish(wheel: box.wheel, manifest: try box.manifest(for: box.wheel))
        try FileManager.default.removeItem(atPath: entry.wheelPath)
        #expect(box.store.lookup(box.key) == .corrupt(key: box.key, reason: "its wheel demo-1.0-py3-none-any.whl is missing"))
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: entry.path + "/entry.json"))
        #expect(box.store.lookup(box.key) == .corrupt(key: box.key, reason: "its manifest is unreadable"))
    }

    @Test("a manifest written for another key is not served")
    func manifestForOtherKey() throws {
        let box = StoreSandbox()
        let other = StoreSandbox(sha: String(repeating: "f", count: 64))
        let entry = try box.store.publish(wheel: box.wheel, manifest: try box.manifest(for: box.wheel))
        let folder = box.store.entryPath(other.key)
        try FileManager.default.createDirectory(atPath: (folder as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: entry.path, toPath: folder)
        #expect(box.store.lookup(other.key) == .corrupt(key: other.key, reason: "its manifest is unreadable"))
    }

    @Test("evict removes the entry and leaves no staging behind")
    func evict() throws {
        let box = StoreSandbox()
        let entry = try box.store.publish(wheel: box.wheel, manifest: try box.manifest(for: box.wheel))
        try box.store.evict(box.key)
        #expect(box.store.lookup(box.key) == .miss)
        #expect(!FileManager.default.fileExists(atPath: entry.path))
        #expect(box.stagingLeft == [])
        try box.store.evict(box.key)
    }

    @Test("publishing over an existing key replaces the entry, old wheel included")
    func replace() throws {
        let box = StoreSandbox()
        try box.store.publish(wheel: box.wheel, manifest: try box.manifest(for: box.wheel, seconds: 1))
        let second = TestFixtures.wheel("compressed-tags")
        let newManifest = try box.manifest(for: second, seconds: 2)
        try box.store.publish(wheel: second, manifest: newManifest)
        guard case .hit(let entry) = box.store.lookup(box.key) else {
            Issue.record("expected a hit")
            return
        }
        #expect(entry.manifest == newManifest)
        #expect(FileManager.default.contentsEqual(atPath: entry.wheelPath, andPath: second))
        let files = try FileManager.default.contentsOfDirectory(atPath: entry.path).sorted()
        #expect(files == ["demo-1.0-py2.py3-none-any.whl", "entry.json"])
        #expect(box.stagingLeft == [])
    }

    @Test("clearStaleStaging removes a dead owner's staging folder and keeps a live one")
    func staleStaging() throws {
        let box = StoreSandbox()
        let live = try box.store.makeStaging()
        let tmp = box.store.path(.tmp)
        try FileManager.default.createDirectory(atPath: tmp + "/stage-x/entry", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: tmp + "/stage-x/entry/partial.whl", contents: Data("partial".utf8))
        _ = FileManager.default.createFile(atPath: tmp + "/stage-x.lock", contents: nil)

        box.store.clearStaleStaging()

        #expect(!FileManager.default.fileExists(atPath: tmp + "/stage-x"))
        #expect(!FileManager.default.fileExists(atPath: tmp + "/stage-x.lock"))
        #expect(FileManager.default.fileExists(atPath: live.path))
        #expect(FileManager.default.fileExists(atPath: live.path + ".lock"))
        let liveName = (live.path as NSString).lastPathComponent
        #expect(box.stagingLeft == [liveName, liveName + ".lock"])
        live.remove()
        #expect(box.stagingLeft == [])
    }

    @Test("a lock file left by a process killed before it took it is cleared once a minute old, and a lone free lock at once")
    func killedWhileMakingStaging() throws {
        let box = StoreSandbox()
        let tmp = box.store.path(.tmp)
        _ = try box.store.makeStaging()  // makes tmp/, then is released
        for name in ["stage-young.lock.new", "stage-old.lock.new", "stage-lone.lock"] {
            #expect(FileManager.default.createFile(atPath: tmp + "/" + name, contents: nil))
        }
        let old = Date().addingTimeInterval(-120)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: tmp + "/stage-old.lock.new")

        box.store.clearStaleStaging()

        // The young one may belong to a live process about to lock it.
        #expect(box.stagingLeft == ["stage-young.lock.new"])
    }
}

@Suite("CacheStore key locks")
struct KeyLockTests {
    @Test("lockKey takes a per-key exclusive lock beside the entry folder")
    func keyLock() throws {
        let tmp = TemporaryDirectory("lock")
        let store = CacheStore(root: tmp.path + "/cache")
        let key = String(repeating: "ab", count: 32)
        let lock = try store.lockKey(key)
        #expect(lock.path == store.path(.wheels) + "/ab/ab/" + key + ".lock")
        #expect(FileLock.tryExclusive(path: lock.path) == nil)
        lock.unlock()
        #expect(FileLock.tryExclusive(path: lock.path) != nil)
    }
}
