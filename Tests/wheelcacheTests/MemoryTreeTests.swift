import Foundation
import Testing
import TestSupport

@Suite("wheelcache build: sdist trees unpacked in memory")
struct MemoryTreeTests {
    static let base = "/dev/shm/wheelcache-\(getuid())"

    /// Whether /dev/shm is a tmpfs here, as /proc/mounts says.
    static let available: Bool = {
        let mounts = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        return mounts.split(separator: "\n").contains { $0.split(separator: " ").dropFirst().prefix(2) == ["/dev/shm", "tmpfs"] }
    }()

    /// The folders the fake backend's hooks ran in, in order.
    static func folders(_ log: String) -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// fakepkg under another name with one more file, `extra`, at the top of its tree.
    static func sdist(_ cli: CLI, name: String, extra: String) throws -> String {
        let parent = cli.scratch.path + "/src-\(name)"
        let top = parent + "/\(name)-1.0"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestFixtures.repository + "/Fixtures/packages/fakepkg", toPath: top)
        let pyproject = top + "/pyproject.toml"
        try String(contentsOfFile: pyproject, encoding: .utf8).replacingOccurrences(of: "name = \"fakepkg\"", with: "name = \"\(name)\"")
            .write(toFile: pyproject, atomically: true, encoding: .utf8)
        try "int answer(void) { return 42; }\n".write(toFile: top + "/" + extra, atomically: true, encoding: .utf8)
        let sdist = cli.scratch.path + "/\(name)-1.0.tar.gz"
        let tar = try run("/bin/tar", ["-czf", sdist, "-C", parent, "\(name)-1.0"])
        try #require(tar.status == 0, "\(tar.stderr)")
        return sdist
    }

    @Test("a pure-Python sdist is unpacked under /dev/shm and its tree removed when the build ends; compiled sources and WHEELCACHE_MEMORY_TREES=0 keep it in staging",
          .enabled(if: available, "/dev/shm is not a tmpfs here"))
    func treesInMemory() throws {
        let cli = CLI()
        let log = cli.scratch.path + "/folders"
        let (first, _) = try cli.build([CacheCommandTests.variant(1)], env: ["WHEELCACHE_FAKE_CWD_LOG": log])
        #expect(first.status == 0, "\(first.stderr)")
        let inMemory = try #require(Self.folders(log).first)
        #expect(inMemory.hasPrefix(Self.base + "/src-"), "\(inMemory)")
        // …/src-XXXXXX/src/fakepkg1-1.0: the whole src-XXXXXX folder is gone.
        let folder = ((inMemory as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        #expect(!FileManager.default.fileExists(atPath: folder))

        let (second, _) = try cli.build([CacheCommandTests.variant(2)], env: ["WHEELCACHE_FAKE_CWD_LOG": log, "WHEELCACHE_MEMORY_TREES": "0"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(Self.folders(log).last?.hasPrefix(cli.cache + "/tmp/stage-") == true, "\(Self.folders(log))")

        let compiled = try Self.sdist(cli, name: "withc", extra: "answer.c")
        let (third, _) = try cli.build([compiled], env: ["WHEELCACHE_FAKE_CWD_LOG": log])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(Self.folders(log).last?.hasPrefix(cli.cache + "/tmp/stage-") == true, "\(Self.folders(log))")
        #expect(cli.scratch.files("cache/tmp").isEmpty)
    }

    @Test("a tree in memory whose build is gone (its staging lock free or missing) is removed by the next build; a live build's is kept",
          .enabled(if: available, "/dev/shm is not a tmpfs here"))
    func staleTreesRemoved() throws {
        let cli = CLI()
        _ = mkdir(Self.base, 0o700)
        func tree(owner: String) throws -> String {
            var template = Array((Self.base + "/src-testXXXXXX").utf8CString)
            let folder = String(cString: try #require(mkdtemp(&template)))
            try FileManager.default.createDirectory(atPath: folder + "/src/x-1.0", withIntermediateDirectories: true)
            try owner.write(toFile: folder + "/owner", atomically: true, encoding: .utf8)
            return folder
        }
        let missing = try tree(owner: cli.scratch.path + "/no-such-stage.lock")
        let freeLock = cli.scratch.path + "/free-stage.lock"
        #expect(FileManager.default.createFile(atPath: freeLock, contents: nil))
        let free = try tree(owner: freeLock)
        let heldLock = cli.scratch.path + "/held-stage.lock"
        #expect(FileManager.default.createFile(atPath: heldLock, contents: nil))
        let fd = open(heldLock, O_RDWR)
        #expect(flock(fd, LOCK_EX) == 0)
        defer { close(fd) }
        let live = try tree(owner: heldLock)
        defer { try? FileManager.default.removeItem(atPath: live) }

        let (result, _) = try cli.build([CacheCommandTests.variant(3)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(!FileManager.default.fileExists(atPath: free))
        #expect(FileManager.default.fileExists(atPath: live + "/src/x-1.0"))
    }
}
