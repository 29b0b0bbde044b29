import WheelBuild
import WheelModel

/// The result for one source; field names are stable (`--json`).
public struct SourceResult: Codable, Sendable {
    public var source: String
    public var status: SourceStatus
    public var name: String?
    public var version: String?
    public var key: String?
    /// The wheel's path in the wheel folder.
    public var wheel: String?
    public var sha256: String?
    public var seconds: Double
    public var error: String?
    /// The kept build log, when a build failed.
    public var log: String?
    public var logTail: [String]?
    public var failure: FailureKind?
    /// For git sources: the commit built or looked up.
    public var commit: String?
    /// For git sources given a branch, tag, short id or no revision: what was resolved.
    public var resolvedFrom: String?

    public init(source: String, status: SourceStatus, seconds: Double) {
        self.source = source
        self.status = status
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case source, status, name, version, key, wheel, sha256, seconds, error, log, failure, commit
        case logTail = "log_tail"
        case resolvedFrom = "resolved_from"
    }
}

extension SourceResult {
    /// What stage 1 learned: the key, and for git sources the commit.
    mutating func keyed(_ keyed: KeyedSource) {
        key = keyed.key?.digest
        commit = keyed.commit
        resolvedFrom = keyed.resolvedFrom
    }

    /// The wheel delivered.
    mutating func delivered(_ delivered: Delivered) {
        status = delivered.status
        name = delivered.name
        version = delivered.version
        sha256 = delivered.sha256
        wheel = delivered.wheel
        if let stored = delivered.key { key = stored }
    }

    /// A failure: its kind for the exit code, its message (prefixed with the requirements
    /// file's `FILE:LINE`), and a failed build's log.
    mutating func failed(_ error: any Error, location: String?) {
        status = .failed
        failure = FailureKind.of(error)
        var message = "\(error)"
        if case .failed(let build)? = error as? BuildError {
            log = build.log
            logTail = build.tail
        }
        if let location, !message.hasPrefix(location) { message = "\(location): \(message)" }
        self.error = message
    }
}
