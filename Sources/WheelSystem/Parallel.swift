import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs work on several threads, results in input order.
public enum Parallel {
    /// On all cores (`concurrentPerform`): for file-system work, such as walking or deleting
    /// ten thousand cache entries, which is bound by system calls that run in parallel in the
    /// kernel. (Measured here: eight threads of our own on two cores were no faster.)
    public static func map<T: Sendable, R: Sendable>(_ items: [T], width: Int = 8, _ transform: @escaping @Sendable (T) -> R) -> [R] {
        guard items.count > 1 else { return items.map(transform) }
        let results = Results<R>(count: items.count)
        let chunks = min(width, items.count)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var index = chunk
            while index < items.count {
                results.set(index, transform(items[index]))
                index += chunks
            }
        }
        return results.values
    }

    /// On exactly `width` threads of their own, each taking the next item when it finishes one:
    /// for work that mostly waits on child processes (builds), where the core count is no limit
    /// and items take very different times.
    public static func mapOnThreads<T: Sendable, R: Sendable>(_ items: [T], width: Int, _ transform: @escaping @Sendable (T) -> R) -> [R] {
        let threads = max(1, min(width, items.count))
        // One at a time needs no thread (a single source's hit should not pay for one).
        if threads == 1 { return items.map(transform) }
        let results = Results<R>(count: items.count)
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<threads {
            startThread {
                while let index = results.claim() { results.set(index, transform(items[index])) }
                done.signal()
            }
        }
        for _ in 0..<threads { done.wait() }
        return results.values
    }

    /// A detached thread of its own (as `Thread` gave us), with the default stack size.
    static func startThread(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, box)
        precondition(status == 0, "cannot start a thread (error \(status))")
        pthread_detach(thread)
    }

    private final class ThreadBody {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private final class Results<R>: @unchecked Sendable {
        private var storage: [R?]
        private var claimed = 0
        private let lock = Lock()

        init(count: Int) { storage = Array(repeating: nil, count: count) }

        /// The next unclaimed index, or nil when all are taken.
        func claim() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard claimed < storage.count else { return nil }
            claimed += 1
            return claimed - 1
        }

        func set(_ index: Int, _ value: R) {
            lock.lock()
            storage[index] = value
            lock.unlock()
        }

        var values: [R] { storage.map { $0! } }
    }
}
