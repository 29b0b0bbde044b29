import FoundationEssentials
import WheelModel
import WheelSystem

/// Where pins are looked up and build requirements come from.
public struct IndexSettings: Sendable {
    public var indexURL: String?
    public var extraIndexURLs: [String]
    public var findLinks: [String]
    public var noIndex: Bool
    /// Build constraints' lines (see `IndexOptions`).
    public var constraints: [String] = []
    /// Their hashes by project (see `IndexOptions`).
    public var constraintHashes: [String: [String]] = [:]

    init(_ options: IndexOptions) {
        indexURL = options.indexURL
        extraIndexURLs = options.extraIndexURLs
        findLinks = options.findLinks
        noIndex = options.noIndex
    }

    /// A requirements file's options apply where the command line set none; its relative
    /// `--find-links` folders are relative to the file's folder, as pip reads them.
    mutating func merge(_ file: RequirementsFile, folder: String) {
        if indexURL == nil { indexURL = file.indexURL }
        extraIndexURLs += file.extraIndexURLs.filter { !extraIndexURLs.contains($0) }
        findLinks += file.findLinks.map { link in
            link.contains("://") || link.hasPrefix("/") ? link : folder + "/" + link
        }.filter { !findLinks.contains($0) }
        noIndex = noIndex || file.noIndex
    }

    /// pip's own settings (its environment variables and configuration files) under those of
    /// the command line and requirements files, as pip itself would combine them.
    mutating func apply(_ pip: PipConfiguration) {
        if indexURL == nil { indexURL = pip.indexURL }
        extraIndexURLs += pip.extraIndexURLs.filter { !extraIndexURLs.contains($0) }
        findLinks += pip.findLinks.filter { !findLinks.contains($0) }
        noIndex = noIndex || pip.noIndex
    }

    /// These settings with pip's own under them, as `environment` and the configuration files
    /// it names give them. Reads files: for pins and builds, never on a hit.
    func withPipSettings(_ environment: [String: String]) -> IndexSettings {
        let files = PipConfiguration.files(environment: environment) { FileTree.kind($0) == .file }
        let texts = files.compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
        var settings = self
        settings.apply(PipConfiguration.read(texts, environment: environment))
        return settings
    }

    /// The indexes to ask, in order.
    var indexes: [String] { options.indexes }

    var options: IndexOptions {
        var options = IndexOptions(indexURL: indexURL, extraIndexURLs: extraIndexURLs, findLinks: findLinks, noIndex: noIndex)
        options.constraints = constraints
        options.constraintHashes = constraintHashes
        return options
    }

}

extension IndexSettings {
    func description(noFiles: Bool) -> String {
        let places = indexes + findLinks
        return (noFiles ? "the project is unknown to " : "that version is not on ") + places.map(URLRedaction.redact).joined(separator: ", ")
    }
}
