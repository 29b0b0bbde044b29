import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to our standard output and error (what `FileHandle.standardOutput` and
/// `.standardError` did), so they interleave with `print` as before.
enum StandardStreams {
    static func output(_ data: Data) { write(STDOUT_FILENO, data) }
    static func output(_ text: String) { write(STDOUT_FILENO, Data(text.utf8)) }
    static func error(_ text: String) { write(STDERR_FILENO, Data(text.utf8)) }

    private static func write(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let count = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
                done += count
            }
        }
    }
}
