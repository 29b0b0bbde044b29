import Foundation
import Testing
import TestSupport
import WheelArchive

@Suite("SdistUnpacker")
struct SdistUnpackerTests {
    /// A destination two levels down in a fresh folder, so anything written beside it or
    /// above it (by `..` or otherwise) shows up in `tmp.files()`.
    struct Sandbox {
        let tmp = TemporaryDirectory("unpack")
        var destination: String { tmp.path + "/outer/dest" }

        init() throws {
            try FileManager.default.createDirectory(atPath: tmp.path + "/outer/dest", withIntermediateDirectories: true)
        }

        /// Files anywhere in the sandbox that are not inside the destination.
        var strayFiles: [String] { tmp.files().filter { !$0.hasPrefix("outer/dest/") } }

        /// Every entry (files, folders, links) directly beside the destination or above it.
        var strayEntries: [String] {
            let outer = (try? FileManager.default.contentsOfDirectory(atPath: tmp.path + "/outer")) ?? []
            let top = (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []
            return outer.filter { $0 != "dest" }.map { "outer/" + $0 } + top.filter { $0 != "outer" }
        }
    }

    static let escapedAbsolute = "/tmp/wheelcache-absolute-escape.txt"

    @Test("the checking pass writes nothing, reads the members asked for, and the writing pass then lays out the same tree as unpack")
    func checkThenWrite() throws {
        let box = try Sandbox()
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let checked = try SdistUnpacker().check(sdist, reading: ["pyproject.toml", "setup.py", "PKG-INFO", "_backend"])
        #expect(box.tmp.files().isEmpty)
        #expect(checked.top == "fakepkg-1.0")
        #expect(checked.present == ["pyproject.toml", "PKG-INFO", "_backend"])
        let pyproject = FileManager.default.contents(atPath: TestFixtures.repository + "/Fixtures/packages/fakepkg/pyproject.toml")
        #expect(checked.contents["pyproject.toml"].map { Data($0) } == pyproject)
        #expect(checked.contents["PKG-INFO"] == Array("Metadata-Version: 2.1\nName: fakepkg\nVersion: 1.0\n".utf8))
        #expect(checked.contents["_backend"] == nil, "a folder has no contents")
        let top = try SdistUnpacker().write(checked, into: box.destination)
        let other = try Sandbox()
        let unpacked = try SdistUnpacker().unpack(sdist, into: other.destination)
        #expect((top as NSString).lastPathComponent == (unpacked as NSString).lastPathComponent)
        #expect(box.tmp.files() == other.tmp.files())
        #expect(FileManager.default.contents(atPath: top + "/pyproject.toml") == pyproject)
    }

    @Test("the checking pass sums the declared sizes and tells sources backends compile (C here) from pure Python")
    func sizeAndCompiledSources() throws {
        let box = try Sandbox()
        let sdist = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let pure = try SdistUnpacker().check(sdist)
        #expect(!pure.hasCompiledSources)
        let top = try SdistUnpacker().write(pure, into: box.destination)
        let sizes = try box.tmp.files("outer/dest").map {
            try #require(FileManager.default.attributesOfItem(atPath: box.destination + "/" + $0)[.size] as? Int)
        }
        #expect(pure.unpackedSize == Int64(sizes.reduce(0, +)), "\(top)")
        let compiled = try SdistUnpacker().check(TestFixtures.sdist("cext-pkg-0.5.tar.gz"))
        #expect(compiled.hasCompiledSources)
    }

    @Test("every hostile sdist of scripts/make-hostile (zip bombs with lying sizes included) is refused by the checking pass alone, before anything is written")
    func hostileRefusedBeforeWriting() throws {
        let tmp = TemporaryDirectory("hostile")
        let made = try run(TestFixtures.python, [TestFixtures.repository + "/scripts/make-hostile", tmp.path + "/out",
                                                 "--escape-root", tmp.path + "/escape"])
        try #require(made.status == 0, "\(made.stderr)")
        let folder = tmp.path + "/out/sdists"
        let sdists = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(sdists.count > 20)
        for name in sdists {
            #expect(throws: ArchiveError.self, "\(name)") { _ = try SdistUnpacker().check(folder + "/" + name) }
        }
    }

    @Test("a pyproject.toml that is a symbolic link is present but not read from the archive")
    func linkedMemberIsNotRead() throws {
        let checked = try SdistUnpacker().check(TestFixtures.sdist("linked/fakepkg-1.0.tar.gz"), reading: ["pyproject.toml"])
        #expect(checked.present == ["pyproject.toml"])
        #expect(checked.contents.isEmpty)
    }

    @Test("a good .tar.gz sdist unpacks to name-version/ with PKG-INFO and the project files")
    func goodTarGz() throws {
        let box = try Sandbox()
        let top = try SdistUnpacker().unpack(TestFixtures.sdist("fakepkg-1.0.tar.gz"), into: box.destination)
        #expect(top == (box.destination as NSString).resolvingSymlinksInPath + "/fakepkg-1.0")
        let pkgInfo = try String(contentsOfFile: top + "/PKG-INFO", encoding: .utf8)
        #expect(pkgInfo == "Metadata-Version: 2.1\nName: fakepkg\nVersion: 1.0\n")
        let original = FileManager.default.contents(atPath: TestFixtures.repository + "/Fixtures/packages/fakepkg/_backend/fakebackend.py")
        #expect(original != nil)
        #expect(FileManager.default.contents(atPath: top + "/_backend/fakebackend.py") == original)
        #expect(box.tmp.files("outer/dest") == [
            "fakepkg-1.0/PKG-INFO", "fakepkg-1.0/README.md", "fakepkg-1.0/_backend/fakebackend.py",
            "fakepkg-1.0/pyproject.toml",
        ])
        #expect(box.strayFiles.isEmpty)
    }

    @Test("a good .zip sdist unpacks to name-version/ with PKG-INFO")
    func goodZip() throws {
        let box = try Sandbox()
        let top = try SdistUnpacker().unpack(TestFixtures.sdist("sampleproject-1.0.0.zip"), into: box.destination)
        #expect((top as NSString).lastPathComponent == "sampleproject-1.0.0")
        let pkgInfo = try String(contentsOfFile: top + "/PKG-INFO", encoding: .utf8)
        #expect(pkgInfo.contains("Name: sampleproject\n"))
        #expect(FileManager.default.fileExists(atPath: top + "/pyproject.toml"))
        #expect(FileManager.default.fileExists(atPath: top + "/src/sample/__init__.py"))
        #expect(box.strayFiles.isEmpty)
    }

    @Test("unpacked files never keep set-user-ID, set-group-ID or world-writable bits")
    func safePermissions() throws {
        let box = try Sandbox()
        let top = try SdistUnpacker().unpack(TestFixtures.sdist("fakepkg-1.0.tar.gz"), into: box.destination)
        let attributes = try FileManager.default.attributesOfItem(atPath: top + "/pyproject.toml")
        let mode = try #require(attributes[.posixPermissions] as? Int)
        #expect(mode & 0o7022 == 0)
        #expect(mode & 0o600 == 0o600)
    }

    /// The hostile archives whose rejection is decided by our own checks, with the exact error.
    static let hostile: [(String, @Sendable (String) -> ArchiveError)] = [
        ("bad/dotdot.tar.gz", {
            .unsafeEntry(path: $0, entry: "evil-1.0/../../escaped.txt", reason: "the path is absolute or climbs out with '..'")
        }),
        ("bad/absolute.tar.gz", {
            .unsafeEntry(path: $0, entry: "/tmp/wheelcache-absolute-escape.txt", reason: "the path is absolute or climbs out with '..'")
        }),
        ("bad/symlink-out.tar.gz", {
            .unsafeEntry(path: $0, entry: "evil-1.0/link", reason: "a symbolic link to '../../outside' leaves the tree")
        }),
        ("bad/hardlink-out.tar.gz", {
            .unsafeEntry(path: $0, entry: "evil-1.0/hardlink", reason: "a hard link to '../outside' leaves the tree")
        }),
        ("bad/device.tar.gz", {
            .unsafeEntry(path: $0, entry: "evil-1.0/null", reason: "device files, FIFOs and sockets are not allowed")
        }),
        ("bad/no-top-folder.tar.gz", { .noTopFolder(path: $0) }),
        ("bad/two-top-folders.tar.gz", { .noTopFolder(path: $0) }),
        ("bad/empty.tar.gz", { .noTopFolder(path: $0) }),
        ("bad/duplicate.tar.gz", {
            .unsafeEntry(path: $0, entry: "evil-1.0/pyproject.toml",
                         reason: "the archive holds this name twice, and which copy counts would depend on the tool that unpacks it")
        }),
        ("bad/file-and-folder.tar.gz", {
            .unsafeEntry(path: $0, entry: "evil-1.0/pkg/mod.py", reason: "'evil-1.0/pkg' is both a file (or link) and a folder")
        }),
        ("bad/fifo.zip", {
            .unsafeEntry(path: $0, entry: "evil-1.0/pipe", reason: "device files, FIFOs and sockets are not allowed")
        }),
    ]

    @Test("hostile and malformed sdists are refused with the exact error before anything is written",
          arguments: hostile.map { $0.0 })
    func hostileArchive(name: String) throws {
        let expected = try #require(Self.hostile.first { $0.0 == name }?.1)
        let box = try Sandbox()
        let archive = TestFixtures.sdist(name)
        if name == "bad/absolute.tar.gz" { try? FileManager.default.removeItem(atPath: Self.escapedAbsolute) }
        #expect(throws: expected(archive)) { try SdistUnpacker().unpack(archive, into: box.destination) }
        #expect(box.strayFiles == [])
        #expect(box.strayEntries == [])
        #expect(!FileManager.default.fileExists(atPath: Self.escapedAbsolute))
        // The whole archive is checked before the first entry is written.
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.destination) == [])
    }

    @Test("plain text is not an archive")
    func notAnArchive() throws {
        let box = try Sandbox()
        let archive = TestFixtures.sdist("bad/not-an-archive.tar.gz")
        let error = try #require(throws: ArchiveError.self) { try SdistUnpacker().unpack(archive, into: box.destination) }
        guard case .notAnArchive(let path, let reason) = error else {
            Issue.record("expected notAnArchive, got \(error)")
            return
        }
        #expect(path == archive)
        #expect(!reason.isEmpty)
        #expect(box.tmp.files() == [])
        #expect(box.strayEntries == [])
    }

    @Test("a missing file is not an archive")
    func missingFile() throws {
        let box = try Sandbox()
        let archive = box.tmp.path + "/no-such.tar.gz"
        let error = try #require(throws: ArchiveError.self) { try SdistUnpacker().unpack(archive, into: box.destination) }
        guard case .notAnArchive(let path, _) = error else {
            Issue.record("expected notAnArchive, got \(error)")
            return
        }
        #expect(path == archive)
    }

    @Test("a truncated sdist is corrupt, found before anything is written")
    func truncated() throws {
        let box = try Sandbox()
        let archive = TestFixtures.sdist("bad/truncated.tar.gz")
        let error = try #require(throws: ArchiveError.self) { try SdistUnpacker().unpack(archive, into: box.destination) }
        guard case .corrupt(let path, let reason) = error else {
            Issue.record("expected corrupt, got \(error)")
            return
        }
        #expect(path == archive)
        #expect(!reason.isEmpty)
        #expect(box.tmp.files() == [])
        #expect(box.strayEntries == [])
    }

    @Test("more entries than maxEntries is refused, before anything is written")
    func maxEntries() throws {
        let box = try Sandbox()
        let archive = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let unpacker = SdistUnpacker(limits: .init(maxEntries: 2))
        #expect(throws: ArchiveError.tooLarge(path: archive, reason: "more than 2 entries")) {
            try unpacker.unpack(archive, into: box.destination)
        }
        #expect(box.tmp.files() == [])
    }

    @Test("more bytes than maxTotalBytes is refused")
    func maxTotalBytes() throws {
        let box = try Sandbox()
        let archive = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let unpacker = SdistUnpacker(limits: .init(maxTotalBytes: 100))
        #expect(throws: ArchiveError.tooLarge(path: archive, reason: "it unpacks to more than 100 bytes, the most wheelcache accepts")) {
            try unpacker.unpack(archive, into: box.destination)
        }
        #expect(box.tmp.files() == [])
    }

    @Test("a decompression bomb is refused by the ratio of unpacked bytes to the archive's size")
    func ratioBound() throws {
        let box = try Sandbox()
        let archive = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let size = try #require(FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int)
        // fakepkg's tar (512-byte blocks, little text) is well over twice its gzip size.
        let unpacker = SdistUnpacker(limits: .init(maxRatio: 2, ratioFloor: 1000))
        #expect(throws: ArchiveError.tooLarge(path: archive, reason: "it unpacks to more than \(2 * size) bytes, over 2 times its own \(size) bytes (a decompression bomb)")) {
            try unpacker.unpack(archive, into: box.destination)
        }
        #expect(box.tmp.files() == [])
        // The same archive passes under a ratio it keeps to.
        _ = try SdistUnpacker(limits: .init(maxRatio: 200, ratioFloor: 1000)).unpack(archive, into: box.destination)
    }

    @Test("limits just large enough let the same sdist through")
    func limitsLargeEnough() throws {
        let box = try Sandbox()
        let archive = TestFixtures.sdist("fakepkg-1.0.tar.gz")
        let unpacker = SdistUnpacker(limits: .init(maxEntries: 6, maxTotalBytes: 1 << 20))
        let top = try unpacker.unpack(archive, into: box.destination)
        #expect(FileManager.default.fileExists(atPath: top + "/PKG-INFO"))
    }
}
