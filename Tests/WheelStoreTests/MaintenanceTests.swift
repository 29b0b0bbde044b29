import Foundation
import Testing
import TestSupport
@testable import WheelStore
import WheelSystem

@Suite("cache maintenance helpers: sizes, durations, patterns, link-safe walks, statistics")
struct MaintenanceTests {
    @Test("sizes: K/M/G/T are powers of 1000, Ki/Mi/Gi/Ti powers of 1024, B optional; junk is nil")
    func sizes() {
        #expect(ByteSize.parse("500M") == 500_000_000)
        #expect(ByteSize.parse("5G") == 5_000_000_000)
        #expect(ByteSize.parse("1.5GiB") == 1_610_612_736)
        #expect(ByteSize.parse("800k") == 800_000)
        #expect(ByteSize.parse("4096") == 4096)
        #expect(ByteSize.parse("2TB") == 2_000_000_000_000)
        for junk in ["", "lots", "-1M", "5X", "M"] { #expect(ByteSize.parse(junk) == nil, "\(junk)") }
        #expect(ByteSize.format(999) == "999 bytes")
        #expect(ByteSize.format(1234) == "1.2 kB")
        #expect(ByteSize.format(5_600_000) == "5.6 MB")
    }

    @Test("durations: s, m, h, d, w")
    func durations() {
        #expect(TimeSpan.parse("45s") == 45)
        #expect(TimeSpan.parse("90m") == 5400)
        #expect(TimeSpan.parse("12h") == 43200)
        #expect(TimeSpan.parse("30d") == 2_592_000)
        #expect(TimeSpan.parse("2w") == 1_209_600)
        for junk in ["", "10", "d", "3y", "-1d"] { #expect(TimeSpan.parse(junk) == nil, "\(junk)") }
    }

    @Test("sizes, durations and counters beyond what an Int64 holds saturate instead of trapping")
    func saturation() {
        for huge in ["1e30G", "9.3e18", "9223372036854775807", "1e300TiB"] { #expect(ByteSize.parse(huge) == Int64.max, "\(huge)") }
        #expect(ByteSize.parse("9e18") == 9_000_000_000_000_000_000)
        #expect(TimeSpan.parse("1e400d") == nil, "not a finite number")
        #expect(TimeSpan.parse("1e300w").map { $0.isFinite && $0 > 1e13 } == true)
        var stats = CacheStatistics(since: "then")
        stats.hits = Int.max
        stats.misses = Int.max - 1
        var run = CacheStatistics(since: "now")
        run.hits = 3
        run.misses = 1
        stats.add(run)
        #expect(stats.hits == Int.max && stats.misses == Int.max)
        #expect(stats.hitRate == "50.0% hits")
        #expect(!stats.isEmpty)
    }

    @Test("patterns match the normalized name, with globs and an optional version")
    func patterns() {
        #expect(EntryPattern("Requests").matches(name: "requests", version: "2.0"))
        #expect(EntryPattern("req*").matches(name: "requests", version: "2.0"))
        #expect(EntryPattern("zope.interface").matches(name: "zope-interface", version: "6.0"))
        #expect(EntryPattern("zope_interface-6.*").matches(name: "zope-interface", version: "6.0"))
        #expect(!EntryPattern("zope_interface-5.*").matches(name: "zope-interface", version: "6.0"))
        #expect(!EntryPattern("request").matches(name: "requests", version: "2.0"))
        #expect(EntryPattern("*-2.0").matches(name: "requests", version: "2.0"))
    }

    @Test("FileTree counts and removes links as links, never what they point at")
    func fileTreeNeverFollowsLinks() throws {
        let dir = TemporaryDirectory("tree")
        try FileManager.default.createDirectory(atPath: dir.path + "/outside/deep", withIntermediateDirectories: true)
        try Data(count: 5000).write(to: URL(fileURLWithPath: dir.path + "/outside/deep/big"))
        try FileManager.default.createDirectory(atPath: dir.path + "/tree/sub", withIntermediateDirectories: true)
        try Data(count: 10).write(to: URL(fileURLWithPath: dir.path + "/tree/sub/small"))
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/tree/sub/link", withDestinationPath: dir.path + "/outside")
        let usage = FileTree.usage(dir.path + "/tree")
        #expect(usage.files == 2)
        #expect(usage.bytes < 1000)
        #expect(FileTree.kind(dir.path + "/tree/sub/link") == .link)
        #expect(FileTree.items(dir.path + "/tree/sub/link").isEmpty)
        let removed = FileTree.remove(dir.path + "/tree")
        #expect(removed.files == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/tree"))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/outside/deep/big"))
        // A link given directly is removed itself.
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/l", withDestinationPath: dir.path + "/outside")
        FileTree.remove(dir.path + "/l")
        #expect(FileTree.kind(dir.path + "/l") == nil)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/outside/deep/big"))
    }

    @Test("statistics add up across concurrent recorders and reset to zero")
    func statistics() async throws {
        let dir = TemporaryDirectory("stats")
        let store = CacheStore(root: dir.path)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    var delta = CacheStatistics(since: "")
                    delta.hits = 2
                    delta.builds = 1
                    store.record(delta)
                }
            }
        }
        let stats = store.statistics()
        #expect(stats.hits == 40)
        #expect(stats.builds == 20)
        store.resetStatistics()
        #expect(store.statistics().hits == 0)
        #expect(ISO8601DateFormatter().date(from: store.statistics().since) != nil)
    }
}
