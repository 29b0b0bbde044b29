import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libarchive converts names through the C locale; a UTF-8 locale keeps non-ASCII names intact.
enum ArchiveLocale {
    static let setUp: Void = {
        if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "en_US.UTF-8") }
    }()

    static func ensureUTF8() { _ = setUp }

    static func message(_ archive: OpaquePointer) -> String {
        wca_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
    }
}
