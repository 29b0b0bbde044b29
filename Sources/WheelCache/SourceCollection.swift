import FoundationEssentials
import WheelBuild
import WheelModel
import WheelStore
import WheelSystem

/// A source to build, from the command line or a line of a requirements file.
struct PlannedSource: Sendable {
    /// What results show as `source` (credentials redacted).
    var label: String
    /// `FILE:LINE` for requirements-file lines.
    var location: String?
    var spec: SourceSpec
    /// SHA-256 digests the source's file must have (`--hash`, `#sha256=`); empty: any.
    var hashes: [String]
    var marker: Marker?
    /// The marker as written, and every `--hash` as `ALGORITHM:HEX` (for install manifests).
    var markerText: String? = nil
    var inputHashes: [String] = []
}

/// Everything a run was asked for: the command line's sources and the requirement files'
/// lines, classified before anything is built, plus the index options the files carry.
struct SourceCollection: Sendable {
    var sources: [PlannedSource] = []
    var index: IndexSettings
    /// Problems found while collecting: the run stops before building (exit 2).
    var errors: [SourceResult] = []
    /// Every input in order, for the report of a run that stops: the errors, and the good
    /// sources marked as not built.
    var stoppedResults: [SourceResult] = []

    static func collect(_ request: BuildRequest) -> SourceCollection {
        var collection = SourceCollection(index: IndexSettings(request.index))
        for argument in request.sources {
            do {
                let spec = try SourceSpec.classify(argument)
                collection.add(PlannedSource(label: URLRedaction.redact(argument), spec: spec,
                                             hashes: spec.fragmentHashes, marker: nil))
            } catch {
                collection.fail(failure(argument, error.description))
            }
        }
        for file in request.requirementFiles {
            do {
                let parsed = try RequirementsFile.parse(file, environment: request.environment) { path in
                    try? String(contentsOfFile: path, encoding: .utf8)
                }
                collection.index.merge(parsed, folder: PathText.parent(file))
                for line in parsed.lines {
                    do {
                        let spec = try SourceSpec.from(line)
                        let hashes = Array(Set(line.sha256Hashes + spec.fragmentHashes)).sorted()
                        if !line.hashes.isEmpty && hashes.isEmpty {
                            throw PipelineError.unsupportedSource(line.text, "only sha256 hashes can be checked; add --hash=sha256:…")
                        }
                        collection.add(PlannedSource(label: line.text, location: line.location, spec: spec,
                                                     hashes: hashes, marker: line.marker, markerText: line.markerText,
                                                     inputHashes: line.hashes))
                    } catch {
                        collection.fail(failure(line.text, "\(line.location): \(error)"))
                    }
                }
            } catch {
                collection.fail(failure(file, error.description))
            }
        }
        return collection
    }

    mutating func add(_ source: PlannedSource) {
        sources.append(source)
        stoppedResults.append(SourceCollection.failure(source.label, "not built: another source is invalid"))
    }

    mutating func fail(_ result: SourceResult) {
        errors.append(result)
        stoppedResults.append(result)
    }

    static func failure(_ source: String, _ message: String) -> SourceResult {
        var result = SourceResult(source: URLRedaction.redact(source), status: .failed, seconds: 0)
        result.error = message
        result.failure = .input
        return result
    }
}

extension SourceSpec {
    /// A requirements-file line as a source.
    static func from(_ line: RequirementLine) throws -> SourceSpec {
        switch line.kind {
        case .pin(let name, let version): return .pin(name: name, version: version)
        case .url(let url, let name): return .url(url, name: name)
        case .vcs(let url, let name):
            do { return .git(try GitURL(url), name: name) } catch {
                throw PipelineError.unsupportedSource(URLRedaction.redact(url), error.description)
            }
        case .path(let path):
            let expanded = PathText.expandingTilde(path)
            let spec = try classify(expanded)
            guard case .pin = spec else { return spec }
            throw PipelineError.missingSource(path)
        }
    }

    /// `#sha256=` on a URL.
    var fragmentHashes: [String] {
        guard case .url(let url, _) = self, let hash = url.firstIndex(of: "#") else { return [] }
        return url[url.index(after: hash)...].split(separator: "&").compactMap { part in
            part.hasPrefix("sha256=") ? String(part.dropFirst(7)).lowercased() : nil
        }
    }
}
