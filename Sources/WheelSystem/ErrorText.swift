import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text corelibs Foundation's `localizedDescription` gave for the file errors we show
/// (FoundationEssentials has no `localizedDescription`), so messages read as before.
public enum ErrorText {
    public static func describe(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError { return describe(cocoaCode: cocoa.code.rawValue) }
        return "The operation could not be completed. (\(error))"
    }

    /// For a Cocoa file error code, as corelibs Foundation words it.
    public static func describe(cocoaCode code: Int) -> String {
        let reason: String
        switch code {
        case 4, 260: reason = "The file doesn’t exist."
        case 257, 513: reason = "You don’t have permission."
        case 258, 514: reason = "The file name is invalid."
        case 259: reason = "The file isn’t in the correct format."
        case 261, 517: reason = "The specified text encoding isn’t applicable."
        case 262, 518: reason = "The specified URL type isn’t supported."
        case 263: reason = "The item is too large."
        case 264: reason = "The text encoding of the contents couldn’t be determined."
        case 516: reason = "A file with the same name already exists."
        case 640: reason = "There isn’t enough space."
        case 642: reason = "The volume is read only."
        default: reason = "(NSCocoaErrorDomain error \(code).)"
        }
        return "The operation could not be completed. " + reason
    }

    /// The Cocoa code corelibs Foundation gives a failed read (or process start) with `errno`.
    public static func readingCocoaCode(errno code: Int32) -> Int {
        switch code {
        case ENOENT: return 260
        case EPERM, EACCES: return 257
        case ENAMETOOLONG: return 258
        case EFBIG: return 263
        default: return 256
        }
    }
}
