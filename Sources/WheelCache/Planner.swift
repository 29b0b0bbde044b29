import FoundationEssentials
import WheelBuild
import WheelFetch
import WheelModel
import WheelStore

/// What `build` would do with one source, and why (`wheelcache plan`).
public struct PlanEntry: Codable, Sendable {
    public enum Action: String, Codable, Sendable {
        /// Served from the cache.
        case hit
        /// Built and stored.
        case build
        /// Built again over the cached entry (`--no-binary`).
        case rebuild
        /// Built every time, never stored.
        case buildUncached = "build-uncached"
        /// A wheel fetched from the index (or a URL) and stored.
        case download
        /// Fetched from the shared remote cache.
        case remoteHit = "remote-hit"
        /// Cannot be done (the error says why).
        case fail
    }

    public var source: String
    public var kind: String
    public var action: Action
    public var key: String?
    public var cacheable: Bool
    /// Why: the key's origin, or why the source is not cached, or the error.
    public var reason: String
    public var name: String?
    public var version: String?
    public var commit: String?
    public var resolvedFrom: String?

    enum CodingKeys: String, CodingKey {
        case source, kind, action, key, cacheable, reason, name, version, commit
        case resolvedFrom = "resolved_from"
    }
}

public struct PlanReport: Codable, Sendable {
    public var plan: [PlanEntry]

    /// 2 when any source is bad input, else 0.
    public var exitCode: Int32 { plan.contains { $0.action == .fail } ? 2 : 0 }
}

extension BuildPipeline {
    /// Makes every source's key the way `build` would (hashing local sdists, resolving git refs,
    /// reading index pages) without downloading or building anything, and looks the keys up
    /// without counting a use.
    public func plan() -> PlanReport {
        var planner = self
        planner.planning = true
        let (sources, interpreter, pipeline): ([PlannedSource], Interpreter, BuildPipeline)
        switch planner.collect() {
        case .stopped(let report):
            return PlanReport(plan: report.results.map {
                PlanEntry(source: $0.source, kind: "?", action: .fail, cacheable: false, reason: $0.error ?? "invalid")
            })
        case .ready(let s, let i, let p): (sources, interpreter, pipeline) = (s, i, p)
        }
        return PlanReport(plan: sources.map { pipeline.plan($0, interpreter: interpreter) })
    }

    private func plan(_ source: PlannedSource, interpreter: Interpreter) -> PlanEntry {
        var entry = PlanEntry(source: source.label, kind: source.spec.kindName, action: .fail, cacheable: true, reason: "")
        var result = SourceResult(source: source.label, status: .failed, seconds: 0)
        do {
            let scratch = Scratch(store: store)
            defer { scratch.remove() }
            let prepared = try prepare(source, interpreter: interpreter, scratch: scratch, result: &result)
            entry.commit = result.commit
            entry.resolvedFrom = result.resolvedFrom
            entry.key = prepared.key?.digest
            switch prepared {
            case .directory:
                entry.cacheable = false
                entry.action = .buildUncached
                entry.reason = "a local folder is built every time and never cached"
                return entry
            case .unknown(let reason):
                entry.action = store == nil ? .buildUncached : .build
                entry.reason = reason
                return entry
            case .delivered:
                entry.action = .hit
                entry.reason = "a cached file matches one of its --hash values"
                return entry
            default:
                break
            }
            entry.reason = reasonForKey(prepared, source: source)
            guard let store, let key = prepared.key else {
                if case .wheel = prepared { entry.action = .download } else { entry.action = .buildUncached }
                if store == nil {
                    entry.cacheable = false
                    entry.reason = "--no-cache-dir: " + entry.reason
                }
                return entry
            }
            switch store.check(key.digest, at: store.entryPath(key.digest)) {
            case .hit(let cached):
                entry.name = cached.manifest.name
                entry.version = cached.manifest.version
                if case .wheel = prepared {
                    entry.action = .hit
                } else {
                    entry.action = request.noBinary.matches(cached.manifest.name) ? .rebuild : .hit
                }
            case .miss, .corrupt:
                if case .wheel = prepared {
                    entry.action = .download
                } else if let remote = remoteCache, (try? remote.hasRecord(key.digest)) == true {
                    entry.action = .remoteHit
                    entry.reason += "; the remote cache \(remote.display) has it"
                } else {
                    entry.action = .build
                }
            }
        } catch {
            entry.action = .fail
            entry.cacheable = false
            entry.reason = (source.location.map { $0 + ": " } ?? "") + "\(error)"
        }
        return entry
    }

    private func reasonForKey(_ prepared: Prepared, source: PlannedSource) -> String {
        switch prepared {
        case .sdist(_, _, let label, _) where label == "the HTTP cache's copy":
            return "keyed by the SHA-256 of the copy in the HTTP cache (build revalidates it with the server)"
        case .sdist: return "keyed by the SHA-256 of the sdist's bytes"
        case .remoteSdist: return "keyed by the sdist's SHA-256, known before downloading (from the URL, --hash or the index)"
        case .git(_, let commit, _, _, _): return "keyed by commit \(commit)"
        case .wheel(let wheel):
            return wheel.key == nil ? "a wheel from \(URLRedaction.redact(wheel.url)), keyed by its SHA-256 once downloaded"
                                    : "a wheel from the index (\(wheel.filename)), keyed by its SHA-256"
        default: return ""
        }
    }
}

extension SourceSpec {
    /// A short name of the source's kind, for `plan`.
    var kindName: String {
        switch self {
        case .sdistFile: return "sdist"
        case .directory: return "folder"
        case .git: return "git"
        case .url: return "url"
        case .pin: return "pin"
        }
    }
}
