import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif
import WheelSystem

@Suite("FileLock")
struct FileLockTests {
    @Test("an exclusive lock keeps tryExclusive out until it is released")
    func exclusiveExcludes() throws {
        let tmp = TemporaryDirectory("lock")
        let path = tmp.path + "/a.lock"
        let held = try FileLock(path: path, mode: .exclusive)
        #expect(FileLock.tryExclusive(path: path) == nil)
        held.unlock()
        let second = FileLock.tryExclusive(path: path)
        #expect(second != nil)
        #expect(FileLock.tryExclusive(path: path) == nil)
        second?.unlock()
    }

    @Test("a shared lock also keeps tryExclusive out, and shared locks coexist")
    func sharedLocks() throws {
        let tmp = TemporaryDirectory("lock")
        let path = tmp.path + "/b.lock"
        let first = try FileLock(path: path, mode: .shared)
        let second = try FileLock(path: path, mode: .shared)
        #expect(FileLock.tryExclusive(path: path) == nil)
        first.unlock()
        #expect(FileLock.tryExclusive(path: path) == nil)
        second.unlock()
        #expect(FileLock.tryExclusive(path: path) != nil)
    }

    @Test("releasing the last reference releases the lock")
    func releasedOnDeinit() throws {
        let tmp = TemporaryDirectory("lock")
        let path = tmp.path + "/c.lock"
        do {
            let held = try FileLock(path: path, mode: .exclusive)
            #expect(FileLock.tryExclusive(path: path) == nil)
            _ = held
        }
        #expect(FileLock.tryExclusive(path: path) != nil)
    }

    @Test("tryExclusive does not create a missing lock file")
    func tryExclusiveMissing() {
        let tmp = TemporaryDirectory("lock")
        #expect(FileLock.tryExclusive(path: tmp.path + "/missing.lock") == nil)
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/missing.lock"))
    }

    @Test("a blocking lock calls waiting once and takes the lock when it is freed")
    func waitsForRelease() async throws {
        let tmp = TemporaryDirectory("lock")
        let path = tmp.path + "/d.lock"
        let held = try FileLock(path: path, mode: .exclusive)
        let waited = Counter()
        let task = Task.detached {
            let lock = try FileLock(path: path, mode: .exclusive, waiting: { waited.increment() })
            lock.unlock()
        }
        while waited.value == 0 { try await Task.sleep(nanoseconds: 10_000_000) }
        held.unlock()
        try await task.value
        #expect(waited.value == 1)
    }
}

final class Counter: @unchecked Sendable {
    private let mutex = NSLock()
    private var count = 0
    var value: Int { mutex.withLock { count } }
    func increment() { mutex.withLock { count += 1 } }
}

@Suite("FileDigest")
struct FileDigestTests {
    @Test("sha256 gives the known SHA-256 and size of a file's bytes",
          arguments: [
              ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
              ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
          ])
    func knownDigest(text: String, hex: String) throws {
        let tmp = TemporaryDirectory("digest")
        let path = tmp.path + "/file"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let digest = try FileDigest.sha256(path)
        #expect(digest.hex == hex)
        #expect(digest.size == Int64(text.utf8.count))
    }

    @Test("a file larger than one read block hashes as a whole (one million 'a's)")
    func largeFile() throws {
        let tmp = TemporaryDirectory("digest")
        let path = tmp.path + "/big"
        try Data(repeating: UInt8(ascii: "a"), count: 1_000_000).write(to: URL(fileURLWithPath: path))
        let digest = try FileDigest.sha256(path)
        #expect(digest.hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(digest.size == 1_000_000)
    }

    @Test("a file of several read blocks hashes like sha256sum")
    func multiBlockFile() throws {
        let tmp = TemporaryDirectory("digest")
        let path = tmp.path + "/multi"
        var bytes = [UInt8](repeating: 0, count: 3_500_001)
        var state: UInt32 = 12345
        for i in bytes.indices {
            state = state &* 1_103_515_245 &+ 12345
            bytes[i] = UInt8(truncatingIfNeeded: state >> 16)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try run("/usr/bin/env", ["sha256sum", path])
        try #require(result.status == 0)
        let digest = try FileDigest.sha256(path)
        #expect(digest.hex == String(result.stdout.prefix(64)))
        #expect(digest.size == 3_500_001)
    }

    @Test("a missing file is an io error naming the path and ENOENT")
    func missing() {
        let path = "/nonexistent/wheelcache/file"
        #expect(throws: SystemError.io(path: path, operation: "open", errno: ENOENT)) { try FileDigest.sha256(path) }
    }
}
