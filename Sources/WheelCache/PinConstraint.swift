import WheelModel
import WheelSystem

/// A line of a `-c` constraints file as pip applies it to a pin: `name SPECIFIER [; marker]`.
/// Every pin of the project must satisfy it (where its marker applies); direct references
/// (`name @ URL`) constrain nothing here.
struct PinConstraint: Sendable {
    let name: String
    let specifier: String
    let marker: Marker?
    let text: String
    /// The constraints file it came from.
    let location: String

    init?(_ line: String, location: String) {
        var body = Substring(line)
        var marker: Marker?
        if let semicolon = body.firstIndex(of: ";") {
            guard let parsed = try? Marker(String(body[body.index(after: semicolon)...]).trimmingSpaces()) else { return nil }
            marker = parsed
            body = body[..<semicolon]
        }
        let nameEnd = body.firstIndex { !($0.isLetter || $0.isNumber || "._-".contains($0)) } ?? body.endIndex
        let name = String(body[..<nameEnd])
        var rest = body[nameEnd...].trimmingSpaces()
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") { rest = rest[rest.index(after: close)...].trimmingSpaces() }
        guard ProjectName.isValid(name), !rest.hasPrefix("@") else { return nil }
        self.name = ProjectName.normalize(name)
        specifier = rest
        self.marker = marker
        text = line
        self.location = location
    }

    /// Throws when `version` of `name` is outside this constraint.
    func check(_ name: String, _ version: String, environment: [String: String]) throws(PipelineError) {
        guard ProjectName.normalize(name) == self.name, !specifier.isEmpty else { return }
        if let marker, !marker.evaluate(environment) { return }
        guard let parsed = Version(version), VersionSpecifier.satisfies(parsed, specifier) == false else { return }
        throw .unsupportedSource("\(name)==\(version)", "the constraint '\(text)' in \(location) excludes this version; change the pin or the constraint")
    }
}
