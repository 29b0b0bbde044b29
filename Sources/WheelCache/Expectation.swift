import WheelModel

/// What the user asked a source's wheel to be: the project named by `name @ …`, `#egg=` or a
/// pin, and the version of a pin or a wheel's file name. Every wheel is checked against it,
/// built, downloaded, fetched from the remote or served from the cache.
struct Expectation: Equatable, Sendable {
    var name: String?
    var version: String?

    static let none = Expectation()

    /// Throws when the wheel is another project, or (where a version was asked for) another
    /// version by PEP 440's `==`.
    func check(name actual: String, version actualVersion: String, source: String) throws(PipelineError) {
        if let name, ProjectName.normalize(name) != ProjectName.normalize(actual) {
            throw .wrongProject(source: source, expected: name, actual: actual)
        }
        // The same text is the same version: no parse (a hit's usual case).
        if let version, version != actualVersion, let got = Version(actualVersion), Version(version) != nil,
           VersionSpecifier.matches(got, "==", version) == false {
            throw .wrongVersion(source: source, expected: version, actual: actualVersion)
        }
    }
}
