#if canImport(Glibc)
import Glibc
#endif
import WheelArchive
import WheelBuild
import WheelFetch
import WheelStore
import WheelSystem

/// How a failure counts for the exit code.
public enum FailureKind: String, Codable, Sendable {
    /// Bad input or usage: exit 2.
    case input
    /// A build that ran and failed: exit 1.
    case build
    /// wheelcache could not do its part (a full disk, a cache it cannot write): exit 1.
    case `internal`
}

extension FailureKind {
    /// Every module's errors, mapped in this one place. Bad input is what the user can fix in
    /// what they passed; a full or read-only disk never is.
    public static func of(_ error: any Error) -> FailureKind {
        switch error {
        case is PipelineError:
            return .input
        case let error as ArchiveError:
            switch error {
            case .invalidWheel: return .build  // made by the backend: not the input's fault
            case .cannotWrite: return .internal
            default: return .input
            }
        case let error as BuildError:
            switch error {
            case .notAPython, .badProject: return .input
            case .failed: return .build
            case .io: return .internal
            }
        case let error as GitError:
            return error.isInputError ? .input : .internal
        case StoreError.delivery(_, ENOTDIR):
            return .input  // a wheel folder that is a file
        case let error as FetchError:
            if case .io = error { return .internal }
            return .input
        default:
            return .internal
        }
    }
}
