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
        /// Built again over the cached entry (`--no-binary`, or a corrupt entry).
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
    /// reading index pages) without downloading sdists or wheels or building anything, and
    /// reports the decision `build` would act on, without counting a use.
    public func plan() -> PlanReport {
        var planner = self
        planner.planning = true
        switch planner.collect() {
        case .stopped(let report):
            return PlanReport(plan: report.results.map {
                PlanEntry(source: $0.source, kind: "?", action: .fail, cacheable: false, reason: $0.error ?? "invalid")
            })
        case .ready(let sources, let interpreter, let pipeline):
            return PlanReport(plan: sources.map { pipeline.plan($0, interpreter: interpreter) })
        }
    }

    private func plan(_ source: PlannedSource, interpreter: Interpreter) -> PlanEntry {
        var entry = PlanEntry(source: source.label, kind: source.spec.kindName, action: .fail, cacheable: true, reason: "")
        let scratch = Scratch(store: store)
        defer { scratch.remove() }
        let keyed: KeyedSource
        do { keyed = try key(source, interpreter: interpreter, scratch: scratch) } catch {
            entry.cacheable = false
            entry.reason = (source.location.map { $0 + ": " } ?? "") + "\(error)"
            return entry
        }
        entry.key = keyed.key?.digest
        entry.commit = keyed.commit
        entry.resolvedFrom = keyed.resolvedFrom
        entry.reason = keyed.why
        entry.cacheable = store != nil && !keyed.origin.isDirectory
        switch decide(keyed) {
        case .hit(let cached):
            entry.action = .hit
            entry.name = cached.manifest.name
            entry.version = cached.manifest.version
        case .build(_, let key, let replacing, let askRemote):
            switch replacing {
            case .forced:
                entry.action = .rebuild
                if let found = store.flatMap({ $0.checkedEntry(key) }) {
                    entry.name = found.manifest.name
                    entry.version = found.manifest.version
                }
            case .corrupt(let reason):
                entry.action = .rebuild
                entry.reason += "; the cached entry is corrupt (\(reason)) and is built again"
            case nil:
                entry.action = .build
            }
            if askRemote, let remote = remoteCache, (try? remote.hasRecord(key.digest)) == true {
                entry.action = .remoteHit
                entry.reason += "; the remote cache \(remote.display) has it"
            }
        case .uncached:
            entry.action = .buildUncached
            if store == nil, keyed.key != nil { entry.reason = "--no-cache-dir: " + entry.reason }
        case .download:
            entry.action = .download
            if store == nil { entry.reason = "--no-cache-dir: " + entry.reason }
        case .unavailable(let reason):
            entry.action = store == nil ? .buildUncached : .build
            entry.reason = reason
        }
        return entry
    }
}

extension KeyedSource.Origin {
    var isDirectory: Bool { if case .build(.directory) = self { true } else { false } }
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
        case .locked: return "lock"
        }
    }
}
