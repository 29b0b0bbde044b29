import Foundation
import Testing
import TestSupport
@testable import WheelCache
import WheelModel
import WheelStore
import WheelSystem

@Suite("stage 5: the cache transaction (lock, look again, check, publish, count)")
struct CacheTransactionTests {
    @Test("an entry stored meanwhile by another process is served as a hit, and nothing is produced")
    func entryStoredMeanwhileIsAHit() throws {
        let box = PipelineSandbox()
        try box.publish()
        let counters = RunCounters()
        let stored = try box.transaction(counters).run(replacing: nil, waiting: "") {
            Issue.record("produced although the entry is there")
            return try box.candidate()
        }
        #expect(stored.status == .hit)
        #expect(counters.value.builds == 0)
    }

    @Test("a forced rebuild replaces a good entry and says rebuilt")
    func forcedReplaces() throws {
        let box = PipelineSandbox()
        let old = try box.publish()
        let counters = RunCounters()
        let stored = try box.transaction(counters).run(replacing: .forced, waiting: "") { try box.candidate() }
        #expect(stored.status == .rebuilt)
        #expect(counters.value.builds == 1)
        #expect(stored.entry.path == old.path)
    }

    @Test("a corrupt entry found under the lock is warned about, counted, evicted and replaced; the status says rebuilt")
    func corruptReplaced() throws {
        let box = PipelineSandbox()
        box.corrupt(try box.publish())
        let counters = RunCounters()
        let stored = try box.transaction(counters).run(replacing: nil, waiting: "") { try box.candidate() }
        #expect(stored.status == .rebuilt)
        #expect(counters.value.corrupt == 1)
        #expect(counters.value.builds == 1)
        guard case .hit(let entry) = box.store.lookup(PipelineSandbox.key.digest) else {
            Issue.record("no good entry after the transaction")
            return
        }
        #expect(entry.manifest.sha256 == (try FileDigest.sha256(box.wheel)).hex)
    }

    @Test("a wheel of another project is refused with the exact error, and nothing is stored")
    func wrongProjectRefused() throws {
        let box = PipelineSandbox()
        let counters = RunCounters()
        #expect(throws: PipelineError.wrongProject(source: "src", expected: "other", actual: "demo")) {
            try box.transaction(counters, expectation: Expectation(name: "other")).run(replacing: nil, waiting: "") {
                try box.candidate()
            }
        }
        #expect(box.store.lookup(PipelineSandbox.key.digest) == .miss)
        #expect(counters.value.builds == 0)
    }

    @Test("a wheel of another version than the one asked for is refused with the exact error, and nothing is stored")
    func wrongVersionRefused() throws {
        let box = PipelineSandbox()
        let expectation = Expectation(name: "Demo", version: "2.0")
        #expect(throws: PipelineError.wrongVersion(source: "src", expected: "2.0", actual: "1.0")) {
            try box.transaction(RunCounters(), expectation: expectation).run(replacing: nil, waiting: "") { try box.candidate() }
        }
        #expect(box.store.lookup(PipelineSandbox.key.digest) == .miss)
        // PEP 440's == with a name spelled otherwise: 1.0.0 is 1.0.
        let stored = try box.transaction(RunCounters(), expectation: Expectation(name: "DEMO", version: "1.0.0"))
            .run(replacing: nil, waiting: "") { try box.candidate() }
        #expect(stored.status == .built)
    }

    @Test("eight transactions on one key at once produce the wheel once; the others are hits of it")
    func concurrentPublishProducesOnce() throws {
        let box = PipelineSandbox()
        try box.store.prepare()
        let counters = RunCounters()
        let produced = Counter()
        let statuses = Parallel.mapOnThreads(Array(0..<8), width: 8) { _ -> SourceStatus? in
            try? box.transaction(counters).run(replacing: nil, waiting: "") {
                produced.increment()
                Thread.sleep(forTimeInterval: 0.2)
                return try box.candidate()
            }.status
        }
        #expect(produced.value == 1)
        #expect(statuses.filter { $0 == .built }.count == 1)
        #expect(statuses.filter { $0 == .hit }.count == 7)
        #expect(counters.value.builds == 1)
    }
}

final class Counter: @unchecked Sendable {
    private let mutex = NSLock()
    private var count = 0
    var value: Int { mutex.withLock { count } }
    func increment() { mutex.withLock { count += 1 } }
}
