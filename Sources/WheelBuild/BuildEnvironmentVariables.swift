import WheelModel

/// The environment a build runs in: the caller's, less credentials, so a backend (or
/// anything it runs) cannot read or leak them.
public enum BuildEnvironmentVariables {
    static let secretMarkers = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY", "APIKEY", "PRIVATE_KEY"]

    /// Whether a variable name looks like it carries a credential.
    public static func isSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        if upper.hasPrefix("AWS_") || upper.hasPrefix("WHEELCACHE_REMOTE") { return true }
        return secretMarkers.contains { upper.contains($0) }
    }

    /// The caller's environment without credentials.
    public static func sanitized(_ environment: [String: String]) -> [String: String] {
        environment.filter { !isSecret($0.key) }
    }

    /// The environment for the backend's hooks: also without variables whose value holds a
    /// URL with credentials (`PIP_INDEX_URL=https://user:token@…`), which only the installer
    /// of build requirements needs.
    public static func forBackend(_ environment: [String: String]) -> [String: String] {
        sanitized(environment).filter { URLRedaction.redact($0.value) == $0.value }
    }
}
