/// The cache's top-level folders, named in this one place. A bucket's version goes up when
/// its layout changes; old versions are pruned, never migrated.
public enum CacheBucket: String, CaseIterable, Sendable {
    /// Built wheels with their manifests, one folder per cache key.
    case wheels = "wheels-v1"
    /// Downloads kept by the HTTP cache.
    case http = "http-v1"
    /// Fetched git repositories.
    case git = "git-v1"
    /// Reusable build environments.
    case envs = "envs-v1"
    /// Facts about interpreters, so a hit starts no Python.
    case interpreters = "interpreters-v1"
    /// Logs of failed builds, kept for the user to read.
    case logs = "logs-v1"
    /// Staging for builds and publishes, on the same file system as the entries.
    case tmp = "tmp"

    /// What the bucket holds, as `cache info` says it.
    public var title: String {
        switch self {
        case .wheels: "Wheels"
        case .http: "HTTP downloads"
        case .git: "Git mirrors"
        case .envs: "Build environments"
        case .interpreters: "Interpreter facts"
        case .logs: "Failed build logs"
        case .tmp: "Staging"
        }
    }
}
