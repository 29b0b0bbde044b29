import Foundation
import Testing
import TestSupport
import WheelStore

@Suite("CacheStore.deliver")
struct DeliverTests {
    static func inode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
    }

    static func partFiles(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".part") }
    }

    /// A wheel of our own in the sandbox, so hard links do not touch the shared fixtures.
    static func ownWheel(_ tmp: TemporaryDirectory) throws -> String {
        try FileManager.default.createDirectory(atPath: tmp.path + "/store", withIntermediateDirectories: true)
        let wheel = tmp.path + "/store/demo-1.0-py3-none-any.whl"
        try FileManager.default.copyItem(atPath: TestFixtures.wheel("good"), toPath: wheel)
        return wheel
    }

    @Test("deliver hard-links the wheel under its own name into a folder it creates")
    func hardLinks() throws {
        let tmp = TemporaryDirectory("deliver")
        let wheel = try Self.ownWheel(tmp)
        let out = tmp.path + "/out/nested"
        let target = try CacheStore.deliver(wheel, to: out)
        #expect(target == out + "/demo-1.0-py3-none-any.whl")
        #expect(try Self.inode(target) == (try Self.inode(wheel)))
        #expect(Self.partFiles(out) == [])
    }

    @Test("deliver replaces an existing file of the same name and leaves no .part files")
    func replacesExisting() throws {
        let tmp = TemporaryDirectory("deliver")
        let wheel = try Self.ownWheel(tmp)
        let out = tmp.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let target = out + "/demo-1.0-py3-none-any.whl"
        try Data("an old, different file".utf8).write(to: URL(fileURLWithPath: target))
        let oldInode = try Self.inode(target)

        #expect(try CacheStore.deliver(wheel, to: out) == target)
        #expect(try Self.inode(target) == (try Self.inode(wheel)))
        #expect(try Self.inode(target) != oldInode)
        #expect(FileManager.default.contentsEqual(atPath: target, andPath: wheel))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["demo-1.0-py3-none-any.whl"])
    }

    @Test("delivering the same wheel twice keeps one linked file")
    func deliverTwice() throws {
        let tmp = TemporaryDirectory("deliver")
        let wheel = try Self.ownWheel(tmp)
        let out = tmp.path + "/out"
        _ = try CacheStore.deliver(wheel, to: out)
        let target = try CacheStore.deliver(wheel, to: out)
        #expect(try Self.inode(target) == (try Self.inode(wheel)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["demo-1.0-py3-none-any.whl"])
    }

    @Test("a wheel folder that is a file is a delivery error")
    func folderIsAFile() throws {
        let tmp = TemporaryDirectory("deliver")
        let wheel = try Self.ownWheel(tmp)
        let out = tmp.path + "/not-a-folder"
        _ = FileManager.default.createFile(atPath: out, contents: Data())
        #expect(throws: StoreError.self) { try CacheStore.deliver(wheel, to: out) }
        #expect(FileManager.default.contents(atPath: out) == Data())
    }
}
