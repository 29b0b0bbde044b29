#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's umask, read from /proc without changing it: umask(2) can only be read by
/// setting it, which briefly applies to every thread (a file created or a process started
/// meanwhile gets umask 0).
public enum ProcessUmask {
    public static let value: mode_t = {
        guard let text = FileReader(path: "/proc/self/status")?.read(at: 0, count: 4096),
              let line = String(decoding: text, as: UTF8.self).split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
              let value = mode_t(line.dropFirst("Umask:".count).trimmingSpaces(), radix: 8) else { return 0o022 }
        return value
    }()
}
