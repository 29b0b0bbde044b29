import Foundation
import Testing
import TestSupport
import WheelArchive
import WheelModel

@Suite("WheelValidator")
struct WheelValidatorTests {
    let validator = WheelValidator()

    @Test("the good wheel passes and reports its name, version, tags and file count")
    func goodWheel() throws {
        let path = TestFixtures.wheel("good")
        let wheel = try validator.validate(path)
        #expect(wheel.fileName.fileName == "demo-1.0-py3-none-any.whl")
        #expect(wheel.name == "demo")
        #expect(wheel.version == "1.0")
        #expect(wheel.tags == ["py3-none-any"])
        #expect(wheel.fileCount == 4)
    }

    @Test("a RECORD with CRLF line ends passes like the LF one")
    func crlfRecord() throws {
        let wheel = try validator.validate(TestFixtures.wheel("crlf-record"))
        #expect(wheel.name == "demo")
        #expect(wheel.version == "1.0")
        #expect(wheel.tags == ["py3-none-any"])
        #expect(wheel.fileCount == 4)
    }

    @Test("a compressed tag set in the file name matches WHEEL's expanded Tag lines")
    func compressedTags() throws {
        let path = TestFixtures.wheel("compressed-tags")
        #expect((path as NSString).lastPathComponent == "demo-1.0-py2.py3-none-any.whl")
        let wheel = try validator.validate(path)
        #expect(wheel.name == "demo")
        #expect(wheel.version == "1.0")
        #expect(wheel.tags.sorted() == ["py2-none-any", "py3-none-any"])
        #expect(wheel.fileName.pythonTags == ["py2", "py3"])
    }

    /// Each broken fixture and the one problem it was made to show (see Fixtures/README.md).
    static let broken: [(String, WheelProblem)] = [
        ("bad-record-hash", .hashMismatch("demo/__init__.py")),
        ("bad-record-size", .sizeMismatch("demo/__init__.py")),
        ("missing-from-record", .notInRecord("demo/unlisted.py")),
        ("record-lists-missing", .missingFromArchive("demo/missing.py")),
        ("no-record", .missingFile("RECORD")),
        ("no-metadata", .missingFile("METADATA")),
        ("two-dist-info", .multipleDistInfo(["demo-1.0.dist-info", "other-1.0.dist-info"])),
        ("name-mismatch", .nameMismatch(fileName: "demo", metadata: "other")),
        ("version-mismatch", .versionMismatch(fileName: "1.0", metadata: "2.0")),
        ("tag-mismatch", .tagMismatch(fileName: ["py3-none-any"], wheel: ["py2-none-any"])),
        ("unsafe-path", .unsafePath("../evil.py")),
        ("absolute-path", .unsafePath("/evil.py")),
        ("truncated", .unreadable("no end-of-central-directory record")),
        ("flipped-byte", .crcMismatch("demo/__init__.py")),
        ("local-name-mismatch", .headerMismatch("demo/__init__.py")),
        ("duplicate-name", .duplicateEntry("demo/__init__.py")),
        ("fifo-member", .specialFile("demo/pipe")),
    ]

    @Test("a wheel past the bounds on entries or on unpacked size is refused from its central directory")
    func bounds() throws {
        let path = TestFixtures.wheel("good")
        #expect(throws: ArchiveError.invalidWheel(path: path, problem: .tooLarge("more than 3 entries"))) {
            try WheelValidator(limits: .init(maxEntries: 3)).validate(path)
        }
        #expect(throws: ArchiveError.invalidWheel(path: path, problem: .tooLarge("it unpacks to more than 100 bytes, the most wheelcache accepts"))) {
            try WheelValidator(limits: .init(maxTotalBytes: 100)).validate(path)
        }
        _ = try WheelValidator(limits: .init(maxEntries: 4, maxTotalBytes: 1000)).validate(path)
    }

    @Test("each broken fixture wheel is rejected for the problem it was made for", arguments: broken)
    func brokenWheel(folder: String, problem: WheelProblem) {
        let path = TestFixtures.wheel(folder)
        #expect(FileManager.default.fileExists(atPath: path), "fixture \(folder) was not generated")
        #expect(throws: ArchiveError.invalidWheel(path: path, problem: problem)) {
            try validator.validate(path)
        }
    }

    @Test("a good wheel under a name that is not a wheel file name is rejected")
    func badFileName() throws {
        let tmp = TemporaryDirectory("validator")
        let path = tmp.path + "/demo-1.0.whl"
        try FileManager.default.copyItem(atPath: TestFixtures.wheel("good"), toPath: path)
        #expect(throws: ArchiveError.invalidWheel(path: path, problem: .badFileName("demo-1.0.whl"))) {
            try validator.validate(path)
        }
    }

    @Test("a good wheel renamed to another version is rejected for the version, not accepted")
    func renamedWheel() throws {
        let tmp = TemporaryDirectory("validator")
        let path = tmp.path + "/demo-1.1-py3-none-any.whl"
        try FileManager.default.copyItem(atPath: TestFixtures.wheel("good"), toPath: path)
        #expect(throws: ArchiveError.invalidWheel(path: path, problem: .versionMismatch(fileName: "1.1", metadata: "1.0"))) {
            try validator.validate(path)
        }
    }

    @Test("a file that is not a zip at all is unreadable")
    func notAZip() throws {
        let tmp = TemporaryDirectory("validator")
        let path = tmp.path + "/demo-1.0-py3-none-any.whl"
        try Data("this is not a zip file\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ArchiveError.invalidWheel(path: path, problem: .unreadable("no end-of-central-directory record"))) {
            try validator.validate(path)
        }
    }
}
