import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WheelArchive
import WheelBuild
import WheelModel
import WheelStore
import WheelSystem

// Stage 4: source tree -> a validated wheel, by the project's PEP 517 backend.

/// A wheel the backend made and the validator accepted, in the work folder.
struct BuiltWheel: Sendable {
    var wheel: String
    var validated: ValidatedWheel
    var outcome: BuildOutcome
    /// The build log, kept in the entry.
    var log: String
}

extension BuildPipeline {
    /// Builds `tree` in `work` and validates the wheel. A failed build's log is moved where
    /// the user can read it after staging is cleared (`logs-v1`, else a temporary folder).
    func buildWheel(_ tree: SourceTree, interpreter: Interpreter, work: String, logName: String) throws -> BuiltWheel {
        let log = work + "/build.log"
        let builder = WheelBuilder(interpreter: interpreter, options: request.options, index: fullIndex.options,
                                   environment: request.environment,
                                   environments: store.map { BuildEnvironments(root: $0.path(.envs)) }, http: http)
        let outcome: BuildOutcome
        do { outcome = try builder.build(source: tree, work: work + "/build", log: log) } catch let error as BuildError {
            // An sdist that could not be written: its own error, not the build's.
            if let failure = tree.failure { throw failure }
            throw keepLog(log, name: logName, error: error)
        } catch {
            if let failure = tree.failure { throw failure }
            throw error
        }
        let validated: ValidatedWheel
        do { validated = try WheelValidator().validate(outcome.wheel) } catch {
            guard case .invalidWheel(_, let problem) = error else { throw error }
            // Its path is inside staging, gone when this error is read: name the file instead.
            let name = PathText.lastComponent(outcome.wheel)
            throw ArchiveError.invalidWheel(path: "\(name) (made by the build backend)", problem: problem)
        }
        return BuiltWheel(wheel: outcome.wheel, validated: validated, outcome: outcome, log: log)
    }

    /// Moves a failed build's log where the user can read it after staging is cleared.
    private func keepLog(_ log: String, name: String, error: BuildError) -> BuildError {
        guard case .failed(var failure) = error, FileManager.default.fileExists(atPath: log) else { return error }
        let folder = store?.path(.logs) ?? (PathText.temporaryDirectory() + "wheelcache-logs")
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stamp = Int(Date().timeIntervalSince1970)
        let kept = folder + "/\(name)-\(stamp)-\(getpid()).log"
        guard (try? FileManager.default.moveItem(atPath: log, toPath: kept)) != nil else { return error }
        failure.log = kept
        return .failed(failure)
    }
}
