import WheelStore
import WheelSystem

/// Statistics gathered during a run from every worker thread, written once at its end.
final class RunCounters: @unchecked Sendable {
    private let lock = Lock()
    private var stats = CacheStatistics(since: "")

    func bump(_ field: WritableKeyPath<CacheStatistics, Int>) {
        lock.lock()
        stats[keyPath: field] += 1
        lock.unlock()
    }

    var value: CacheStatistics {
        lock.lock()
        defer { lock.unlock() }
        return stats
    }
}
