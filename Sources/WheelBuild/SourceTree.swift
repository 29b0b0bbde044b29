import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelModel
import WheelSystem

/// The source tree a build works in: ready, or still being written on another thread (an
/// sdist unpacking) with its build system read from the archive already, so that the build
/// environment and the backend's start need not wait for it.
public struct SourceTree: Sendable {
    /// The build system, when known before the tree is written.
    public var system: BuildSystem?
    private let writing: Pending<String>
    /// A folder outside the work folder the tree is written into, removed by `finish`.
    private let outside: String?

    public static func ready(_ path: String) -> SourceTree {
        SourceTree(system: nil, writing: Pending(value: path))
    }

    /// A tree that `writing` gives once written, with its build system known already;
    /// `outside`: the folder it is written into when that is not inside the work folder.
    public init(system: BuildSystem?, writing: Pending<String>, outside: String? = nil) {
        self.system = system
        self.writing = writing
        self.outside = outside
    }

    /// The tree's path once written (waiting for it); nil when writing it failed.
    var ready: String? { try? writing.wait() }

    /// Why writing the tree failed (waiting for it), if it did.
    public var failure: (any Error)? {
        do { _ = try writing.wait() } catch { return error }
        return nil
    }

    /// Waits until nothing writes the tree any more, before the work folder is removed, and
    /// removes the folder outside it, if any.
    public func finish() {
        _ = ready
        if let outside { FileTree.remove(outside) }
    }

    func path(_ work: String) throws(BuildError) -> String {
        guard let ready else { throw .io(path: work, reason: "the source tree could not be written") }
        return ready
    }
}

/// What a successful build produced.
public struct BuildOutcome: Sendable {
    /// The wheel, inside the build's work folder.
    public var wheel: String
    public var backend: String
    /// `name==version` of the build requirements as installed.
    public var requirements: [String]
    public var seconds: Double
}
