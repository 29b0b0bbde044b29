import WheelModel

extension BuildRequest {
    /// Why these `--no-binary` and `--config-setting` values cannot be used, or nil; the
    /// command line says it before anything runs.
    public static func problem(noBinary: [String], configSettings: [String], onlyBinary: [String] = []) -> String? {
        do { _ = try PackageSelector(arguments: noBinary) } catch { return "--no-binary: \(error)" }
        do { _ = try PackageSelector(arguments: onlyBinary) } catch { return "--only-binary: \(error)" }
        do { _ = try BuildOptions.parseConfigSettings(configSettings) } catch { return "\(error)" }
        return nil
    }

    /// A request from the command line's words: `--no-binary` values, `KEY=VALUE` settings and
    /// the index options as given (relative paths already made absolute).
    public init(sources: [String], requirementFiles: [String], wheelDirectory: String, cacheRoot: String?,
                noBinary: [String], python: String?, configSettings: [String], isolation: Bool,
                indexURL: String?, extraIndexURLs: [String], findLinks: [String], noIndex: Bool,
                environment: [String: String], maxSize: Int64?, jobs: Int?, remote: RemoteSettings?,
                onlyBinary: [String] = []) throws {
        self.init(sources: sources, requirementFiles: requirementFiles, wheelDirectory: wheelDirectory,
                  cacheRoot: cacheRoot, noBinary: try PackageSelector(arguments: noBinary), python: python,
                  options: BuildOptions(configSettings: try BuildOptions.parseConfigSettings(configSettings),
                                        isolation: isolation),
                  index: IndexOptions(indexURL: indexURL, extraIndexURLs: extraIndexURLs, findLinks: findLinks,
                                      noIndex: noIndex),
                  environment: environment, maxSize: maxSize, jobs: jobs, remote: remote)
        self.onlyBinary = try PackageSelector(arguments: onlyBinary)
    }
}
