import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value computed on a thread of its own while the caller goes on; `wait()` returns it (or
/// throws what computing it threw) once it is ready, as often as it is called.
public final class Pending<T: Sendable>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private let lock = Lock()
    private let ready = DispatchSemaphore(value: 0)

    public init(_ body: @escaping @Sendable () throws -> T) {
        Parallel.startThread { [self] in
            let outcome = Result { try body() }
            lock.lock()
            result = outcome
            lock.unlock()
            ready.signal()
        }
    }

    /// A value that is ready already.
    public init(value: T) {
        result = .success(value)
    }

    public func wait() throws -> T {
        lock.lock()
        if let result {
            lock.unlock()
            return try result.get()
        }
        lock.unlock()
        ready.wait()
        ready.signal()  // for any other waiter
        lock.lock()
        defer { lock.unlock() }
        return try result!.get()
    }
}
